//! whosaid: who said what in news articles.
//!
//! The data flows through small stages, each behind one trait, in the order that
//! [`pipeline`] alone knows: text and spans ([`text`]) -> segmentation ([`tokenize`]) ->
//! named entities ([`ner`]) and quote detection ([`quote`]) in parallel -> attribution and
//! coreference ([`attribution`]) -> output ([`output`]). [`input`] and [`runner`] stream
//! corpora through it; [`show`] and [`bench`] serve the command line.

pub mod attribution;
pub mod bench;
pub mod check;
pub mod commands;
pub mod cues;
pub mod eval;
pub mod export;
pub mod input;
pub mod learn;
pub mod lexicon;
pub mod ner;
pub mod output;
pub mod pipeline;
pub mod polnear;
pub mod quote;
pub mod report;
pub mod runner;
pub mod show;
pub mod text;
pub mod tokenize;
pub mod work;

pub use input::Article;
pub use output::Record;
pub use pipeline::Pipeline;
