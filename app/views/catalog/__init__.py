"""The product catalogue: categories and products (Settings ▸ Products and categories…)."""
