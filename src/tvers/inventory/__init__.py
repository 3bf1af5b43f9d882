"""One stock ledger for every store and warehouse: locations, levels, movements, reservations, ATP, transfers."""
