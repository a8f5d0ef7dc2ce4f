"""optout-cohorts dashboard (Streamlit): thin pages over analytics."""
