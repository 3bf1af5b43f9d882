"""Payment providers behind one interface: local tenders move money in our database, external ones over the network."""
