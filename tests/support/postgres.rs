//! A throwaway PostgreSQL cluster for the archive tests: initdb and pg_ctl (Debian's server packages) on a
//! temporary folder, listening only on a Unix socket inside it, stopped when the test process exits. As root
//! (CI), the server runs as the `postgres` system user, since PostgreSQL refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The running cluster: its socket folder and superuser name.
pub struct Cluster {
    pub socket: PathBuf,
    pub superuser: String,
    data: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

/// The PostgreSQL server binaries: `VERBATIM_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`.
fn server_binaries() -> Option<PathBuf> {
    if let Ok(bin) = std::env::var("VERBATIM_PG_BIN") {
        return Some(PathBuf::from(bin));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn run(cluster_bin: &Path, as_postgres: bool, program: &str, args: &[&str]) -> Result<(), String> {
    let program_path = cluster_bin.join(program);
    let output = if as_postgres {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&program_path)
            .args(args)
            .output()
    } else {
        Command::new(&program_path).args(args).output()
    }
    .map_err(|e| format!("cannot run {program}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{program} {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn start() -> Result<Cluster, String> {
    let bin = server_binaries().ok_or_else(|| {
        "PostgreSQL's server binaries were not found (/usr/lib/postgresql/*/bin): install them with \
         `apt-get install postgresql` (.ci/run does), or point VERBATIM_PG_BIN at them"
            .to_string()
    })?;
    let as_postgres = unsafe { libc::geteuid() } == 0;
    let base = std::env::temp_dir().join(format!("verbatim-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).map_err(|e| e.to_string())?;
    let data = base.join("data");
    if as_postgres {
        let status = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&base)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err("cannot hand the cluster folder to the postgres user".into());
        }
    }
    let data_text = data.to_string_lossy().to_string();
    let base_text = base.to_string_lossy().to_string();
    run(
        &bin,
        as_postgres,
        "initdb",
        &[
            "-D",
            &data_text,
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ],
    )?;
    let options = format!(
        "-c listen_addresses='' -c unix_socket_directories='{base_text}' -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c shared_buffers=128MB"
    );
    let log = base.join("server.log").to_string_lossy().to_string();
    run(
        &bin,
        as_postgres,
        "pg_ctl",
        &[
            "-D", &data_text, "-o", &options, "-l", &log, "-w", "-t", "120", "start",
        ],
    )?;
    extern "C" fn stop_at_exit() {
        if let Some(Ok(cluster)) = CLUSTER.get() {
            let data = cluster.data.to_string_lossy().to_string();
            let _ = run(
                &cluster.bin,
                cluster.as_postgres,
                "pg_ctl",
                &["-D", &data, "-m", "immediate", "stop"],
            );
            if let Some(parent) = cluster.data.parent() {
                let _ = std::fs::remove_dir_all(parent);
            }
        }
    }
    unsafe {
        libc::atexit(stop_at_exit);
    }
    Ok(Cluster {
        socket: base,
        superuser: "postgres".to_string(),
        data,
        bin,
        as_postgres,
    })
}

/// The test cluster, started on first use. Panics with a clear message when PostgreSQL is not installed.
pub fn cluster() -> &'static Cluster {
    match CLUSTER.get_or_init(start) {
        Ok(cluster) => cluster,
        Err(error) => panic!("the archive tests need a PostgreSQL server: {error}"),
    }
}

impl Cluster {
    /// A connection string for `database` as `user` over the socket.
    pub fn url(&self, database: &str, user: &str) -> String {
        format!(
            "host={} user={user} dbname={database} sslmode=disable",
            self.socket.display()
        )
    }

    /// Runs SQL as the superuser in `database` with psql-free means: through the project's own client.
    pub fn sql(&self, database: &str, sql: &str) {
        let url = self.url(database, &self.superuser);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("cannot connect to the test cluster: {e}"));
            tokio::spawn(connection);
            client.batch_execute(sql).await.unwrap_or_else(|e| {
                let detail = e.as_db_error().map(|db| db.message().to_string());
                panic!("{sql}: {e} {detail:?}")
            });
        });
    }

    /// A fresh, empty database (dropped first if a previous run left it).
    pub fn database(&self, name: &str) -> String {
        // Each in its own statement: neither may run inside the transaction of a multi-statement batch.
        self.sql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        self.sql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(name, &self.superuser)
    }
}
