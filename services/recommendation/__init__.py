"""recommendation-service: personal picks, similar events, the interaction log, the nightly model."""
