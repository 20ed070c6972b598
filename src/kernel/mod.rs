//! The kernel: what every other layer may use and what depends on nothing else in the crate.
//!
//! Random streams ([`rng`]), the record of a traced trial ([`trace`]), number formatting
//! ([`fmt`]), HTML escaping ([`html`]), clock and calendar arithmetic ([`time`]), files written
//! whole ([`fs`]), user text made safe to show ([`text`]), "did you mean" for mistyped words
//! ([`suggest`]) and the special functions ([`special`]) behind beta quantiles and binomial
//! tests, and the processor features the build assumes ([`cpu`]). Each fact lives here once, so that the CSV writer, the report, the game's pages and
//! the manifests agree on how a number, a character or a date is written. A check in the test
//! suite fails
//! if any module here imports from the rest of the crate.

pub mod cpu;
pub mod fmt;
pub mod fs;
pub mod html;
pub mod rng;
pub mod special;
pub mod suggest;
pub mod text;
pub mod time;
pub mod trace;
