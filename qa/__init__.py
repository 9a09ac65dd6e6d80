"""callqa domain: audio, transcription, scoring, FCR. No Flask, no commits."""
