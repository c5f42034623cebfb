"""Settings live in one module per environment (dev, prod, test) over a shared base."""
