"""Real-browser tests of the Streamlit app."""
