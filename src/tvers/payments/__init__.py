"""The payment ledger (one payment per tender, its transactions) and the tender providers."""
