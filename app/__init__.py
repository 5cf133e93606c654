"""The page's sections, one module each; ``streamlit_app.py`` composes them. With it, the only code that
imports streamlit (``backprop/`` never does)."""
