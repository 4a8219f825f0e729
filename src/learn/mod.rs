//! Learning primitives shared by the stages that learn (NER, attribution cues, the quote
//! model): feature hashing ([`hash`]) and averaged-perceptron weights ([`perceptron`]).

pub mod hash;
pub mod perceptron;

pub use hash::{IdHasher, IdMap};
pub use perceptron::{shuffle, Averaged};
