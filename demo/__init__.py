"""Demo reference data (administrative units, procedures, applicant name material)."""
