"""Catalogue, prices, pipelines and deals, orders, invoices and payments."""
