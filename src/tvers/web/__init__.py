"""The HTTP face of Tvers: the JSON API now; back office, store app and storefront pages later."""
