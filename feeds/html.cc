// Placeholder: implemented in progress.
