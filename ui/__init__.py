"""The only Streamlit code besides the thin pages: cached loaders, the role, map display."""
