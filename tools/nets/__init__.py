"""Network definitions the tools export and (in later issues) train: NAFNet and a small SAM 2.1-style pair."""
