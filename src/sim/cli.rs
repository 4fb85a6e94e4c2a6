//! `octosync sim`: run simulated Octopus instances on loopback until Ctrl+C.

use std::net::SocketAddr;
use std::time::Duration;

use super::{LargeScale, Seed, SimConfig, SimServer};

/// Arguments of the `octosync sim` subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct SimCliArgs {
    /// Number of instances to start.
    #[arg(long, default_value_t = 2)]
    pub instances: usize,
    /// First port; instance i (1-based) listens on P+i. 0 = any free port.
    #[arg(long, default_value_t = 0)]
    pub base_port: u16,
    /// Reported server version; repeat once per instance, or give one for all.
    #[arg(long = "version")]
    pub version: Vec<String>,
    /// `demo` (instance 1 Dev/Test source, the others Staging/Production), `large` (the same
    /// split, with the large space of the benchmark) or `empty`.
    #[arg(long, default_value = "demo")]
    pub seed: String,
    /// Size of the `large` seed relative to the benchmark's 1x space (0.5, 1, 2, ...).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of requests (0.0..=1.0) that get an injected fault.
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
}

/// Start the instances, print how to reach them, and serve until Ctrl+C.
pub async fn run_cli(args: SimCliArgs) -> anyhow::Result<()> {
    if !(args.scale.is_finite() && args.scale > 0.0) {
        anyhow::bail!("--scale must be a positive number, such as 0.5, 1 or 2");
    }
    let scale = LargeScale::from_factor(args.scale);
    // The seed of the first instance (the source) and of the others (destinations).
    let (first, others) = match args.seed.to_ascii_lowercase().as_str() {
        "demo" => (Seed::DemoSource, Seed::DemoDestination),
        "large" => (Seed::LargeSource { scale }, Seed::LargeDestination { scale }),
        "empty" => (Seed::Empty, Seed::Empty),
        other => anyhow::bail!("--seed must be 'demo', 'large' or 'empty', not '{other}'"),
    };
    if matches!(first, Seed::LargeSource { .. }) {
        println!("large space at {}x: {}", scale.factor(), scale.counts());
    }
    if !(0.0..=1.0).contains(&args.fault_rate) {
        anyhow::bail!("--fault-rate must be between 0.0 and 1.0");
    }
    let mut servers = Vec::new();
    for i in 1..=args.instances.max(1) {
        let version = args
            .version
            .get(i - 1)
            .or(args.version.last())
            .cloned()
            .unwrap_or_else(|| SimConfig::default().version);
        let seed = if i == 1 { first } else { others };
        let config = SimConfig {
            api_key: format!("API-SIMINSTANCE{i:0>17}"),
            version,
            seed,
            latency: Duration::from_millis(args.latency_ms),
            fault_rate: args.fault_rate,
            fault_seed: i as u64,
            ..SimConfig::default()
        };
        let port = if args.base_port == 0 {
            0
        } else {
            args.base_port
                .checked_add(i as u16)
                .ok_or_else(|| anyhow::anyhow!("--base-port too high for {} instances", args.instances))?
        };
        let server = SimServer::start_on(config.clone(), SocketAddr::from(([127, 0, 0, 1], port))).await?;
        println!(
            "instance {i}: url={} api_key={} space={} version={} seed={seed:?}",
            server.url(),
            server.api_key(),
            config.space_name,
            config.version
        );
        servers.push((server, config));
    }
    if let [(src, src_cfg), (dst, dst_cfg), ..] = servers.as_slice() {
        println!();
        println!("# try octosync against instances 1 (source) and 2 (destination):");
        println!("export OCTOSYNC_SOURCE_URL={}", src.url());
        println!("export OCTOSYNC_SOURCE_API_KEY={}", src.api_key());
        println!("export OCTOSYNC_SOURCE_SPACE={}", src_cfg.space_name);
        println!("export OCTOSYNC_DESTINATION_URL={}", dst.url());
        println!("export OCTOSYNC_DESTINATION_API_KEY={}", dst.api_key());
        println!("export OCTOSYNC_DESTINATION_SPACE={}", dst_cfg.space_name);
    }
    println!();
    println!("serving; press Ctrl+C to stop");
    tokio::signal::ctrl_c().await?;
    for (server, _) in servers {
        server.shutdown().await;
    }
    Ok(())
}
