"""Flows that span modules (checkout, fulfil, return, merge customers), each step with its compensation."""
