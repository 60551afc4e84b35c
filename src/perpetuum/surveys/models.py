"""Questionnaires sent to contacts as links, and the answers kept on the contact."""
