"""The page through Streamlit's AppTest, one file per section of app/."""
