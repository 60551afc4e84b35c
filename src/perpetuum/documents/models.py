"""Document templates and the documents generated from them."""
