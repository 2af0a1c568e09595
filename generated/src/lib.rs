//! Placeholder until the emitter exists.
