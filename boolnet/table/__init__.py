"""The central data type: volume tables (one schema) and the builders that make them from counts."""
