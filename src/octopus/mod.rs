//! The Octopus REST client: authentication, space resolution, paging, retries, adaptive concurrency,
//! request metrics and the server version.

mod client;
pub mod metrics;
pub mod retry;
pub mod version;

pub use client::{same_space, ApiError, Client, ClientOptions, Download, RawItem};
pub use version::{skew, OctopusVersion, Skew};
