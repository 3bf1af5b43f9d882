"""The product catalog every channel shows: products, variants, media, translations, prices, listings, reviews."""
