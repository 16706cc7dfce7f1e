"""Form codecs: an HTML form's values to a use-case's input, and back."""
