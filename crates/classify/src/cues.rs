//! Cue lexicons per language: asking for a person, frustration, opting out of AI, complaints.
