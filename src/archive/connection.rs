//! Where the archive is and how to reach it: the connection string (URL or `key=value` form) as libpq reads
//! it — `service=` entries from a service file, the password from the environment or `.pgpass`, TLS from
//! `sslmode` / `sslrootcert` — and a connection with bounded connect and statement times.
//!
//! Files (`.pgpass`, `pg_service.conf`, a root certificate) are read by the caller through
//! [`Credentials`], so this module never touches the filesystem itself.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::{Client, Config};

/// Why the archive could not be used. The message is written for the person at the keyboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveError {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The connection string or a setting is wrong: retrying will not help.
    Settings,
    /// The server could not be reached or dropped the connection: worth retrying later.
    Unreachable,
    /// The archive has no schema yet, or one this version of verbatim does not know.
    Schema,
    /// The server refused a statement (permissions, timeout, constraint).
    Refused,
}

impl ArchiveError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> ArchiveError {
        ArchiveError {
            kind,
            message: message.into(),
        }
    }

    /// Turns a client error into a message that says what happened, not how.
    pub fn from_postgres(error: tokio_postgres::Error, doing: &str) -> ArchiveError {
        if let Some(db) = error.as_db_error() {
            let kind = match db.code().code() {
                // insufficient_privilege, query_canceled (statement_timeout), read_only_sql_transaction
                "42501" | "57014" | "25006" => ErrorKind::Refused,
                // undefined_table: the schema is missing
                "42P01" => ErrorKind::Schema,
                _ => ErrorKind::Refused,
            };
            let hint = match db.code().code() {
                "42501" => {
                    " (this role may only read the archive; ingest with a writer role, see README)"
                }
                "57014" => " (the archive's statement timeout ran out)",
                "42P01" => " (run `verbatim archive init` first)",
                _ => "",
            };
            return ArchiveError::new(kind, format!("{doing}: {}{hint}", db.message()));
        }
        if error.is_closed() {
            return ArchiveError::new(
                ErrorKind::Unreachable,
                format!("{doing}: the connection to the archive was closed"),
            );
        }
        let text = error.to_string();
        let mut detail = text.clone();
        let mut source = std::error::Error::source(&error);
        while let Some(inner) = source {
            detail = format!("{text}: {inner}");
            source = inner.source();
        }
        ArchiveError::new(ErrorKind::Unreachable, format!("{doing}: {detail}"))
    }
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ArchiveError {}

/// Where an archive URL came from: a password is refused in a file that is shared or committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlOrigin {
    /// `archive.url` in verbatim.toml (or an editor's settings file).
    SettingsFile,
    /// `--archive`/`--url`, `VERBATIM_ARCHIVE_URL` or an editor setting held in memory.
    Given,
}

/// The files and environment libpq would consult, read by the caller (the workspace reads files).
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// Contents of the password file (`PGPASSFILE`, else `~/.pgpass`), if any.
    pub pgpass: Option<String>,
    /// Contents of the service files (`PGSERVICEFILE` or `~/.pg_service.conf`, then
    /// `PGSYSCONFDIR/pg_service.conf`), first found first.
    pub service_files: Vec<String>,
    /// The environment variables libpq reads (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
    /// `PGSSLMODE`, `PGSSLROOTCERT`, `PGCONNECT_TIMEOUT`, `PGSERVICE`, `PGAPPNAME`), plus `USER`.
    pub environment: HashMap<String, String>,
    /// PEM contents of `sslrootcert`, read by the caller when [`Target::root_certificate_path`] is set.
    pub root_certificate: Option<Vec<u8>>,
}

impl Credentials {
    /// The variables libpq reads, from this process's environment.
    pub fn environment_from_process() -> HashMap<String, String> {
        const NAMES: &[&str] = &[
            "PGHOST",
            "PGHOSTADDR",
            "PGPORT",
            "PGUSER",
            "PGPASSWORD",
            "PGDATABASE",
            "PGSSLMODE",
            "PGSSLROOTCERT",
            "PGCONNECT_TIMEOUT",
            "PGSERVICE",
            "PGAPPNAME",
            "PGPASSFILE",
            "PGSERVICEFILE",
            "PGSYSCONFDIR",
            "USER",
            "HOME",
        ];
        NAMES
            .iter()
            .filter_map(|name| std::env::var(name).ok().map(|v| (name.to_string(), v)))
            .collect()
    }
}

/// A parsed connection target, before the password and service files are applied.
#[derive(Clone, Debug)]
pub struct Target {
    /// `key=value` pairs in libpq's names (from a URL or a key=value string), in order.
    pairs: Vec<(String, String)>,
    /// The hosts of a URL (`postgresql://a,b/db`), kept apart from the pairs.
    display: String,
}

impl Target {
    /// Parses a connection string: `postgresql://user@host:port/db?sslmode=require` or
    /// `host=/run/postgresql dbname=archive`. A password in a settings file is refused.
    pub fn parse(url: &str, origin: UrlOrigin) -> Result<Target, ArchiveError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(ArchiveError::new(
                ErrorKind::Settings,
                "the archive URL is empty",
            ));
        }
        let pairs = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            parse_url(url)?
        } else {
            parse_key_values(url)?
        };
        if origin == UrlOrigin::SettingsFile && pairs.iter().any(|(k, _)| k == "password") {
            return Err(ArchiveError::new(
                ErrorKind::Settings,
                "archive.url in verbatim.toml contains a password; a settings file is shared and often \
                 committed, so verbatim refuses it. Remove the password and give it through PGPASSWORD, \
                 ~/.pgpass or a service file (pg_service.conf)",
            ));
        }
        let display = redacted(&pairs);
        Ok(Target { pairs, display })
    }

    /// The connection string with any password hidden, for messages.
    pub fn display(&self) -> &str {
        &self.display
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The `sslrootcert` file to read (from the string or `PGSSLROOTCERT`), if any.
    pub fn root_certificate_path(&self, environment: &HashMap<String, String>) -> Option<String> {
        self.get("sslrootcert")
            .map(str::to_string)
            .or_else(|| environment.get("PGSSLROOTCERT").cloned())
            .filter(|path| path != "system")
    }

    /// The service name (`service=` or `PGSERVICE`), if any.
    pub fn service(&self, environment: &HashMap<String, String>) -> Option<String> {
        self.get("service")
            .map(str::to_string)
            .or_else(|| environment.get("PGSERVICE").cloned())
    }

    /// The final client configuration: service-file entries, then the string's own pairs, then the
    /// environment's defaults; the password from the string, `PGPASSWORD` or the password file.
    pub fn resolve(&self, credentials: &Credentials) -> Result<Resolved, ArchiveError> {
        let env = &credentials.environment;
        let mut merged: Vec<(String, String)> = Vec::new();
        if let Some(service) = self.service(env) {
            let found = credentials
                .service_files
                .iter()
                .find_map(|file| service_entries(file, &service));
            match found {
                Some(entries) => merged.extend(entries),
                None => {
                    return Err(ArchiveError::new(
                        ErrorKind::Settings,
                        format!(
                            "service \"{service}\" is not defined in any service file \
                             (PGSERVICEFILE, ~/.pg_service.conf, PGSYSCONFDIR/pg_service.conf)"
                        ),
                    ))
                }
            }
        }
        merged.extend(self.pairs.iter().filter(|(k, _)| k != "service").cloned());
        let has = |merged: &Vec<(String, String)>, key: &str| merged.iter().any(|(k, _)| k == key);
        for (key, variable) in [
            ("host", "PGHOST"),
            ("hostaddr", "PGHOSTADDR"),
            ("port", "PGPORT"),
            ("user", "PGUSER"),
            ("dbname", "PGDATABASE"),
            ("sslmode", "PGSSLMODE"),
            ("connect_timeout", "PGCONNECT_TIMEOUT"),
            ("application_name", "PGAPPNAME"),
        ] {
            if !has(&merged, key) {
                if let Some(value) = env.get(variable) {
                    merged.push((key.to_string(), value.clone()));
                }
            }
        }
        if !has(&merged, "host") && !has(&merged, "hostaddr") {
            // libpq's default: the local Unix socket.
            merged.push(("host".into(), "/var/run/postgresql".into()));
        }
        if !has(&merged, "user") {
            if let Some(user) = env.get("USER") {
                merged.push(("user".into(), user.clone()));
            }
        }
        if !has(&merged, "application_name") {
            merged.push(("application_name".into(), "verbatim".into()));
        }
        let mut root_certificate_required = false;
        let mut config_string = String::new();
        for (key, value) in &merged {
            match key.as_str() {
                // Read by verbatim, not by the client library.
                "sslrootcert" => {
                    root_certificate_required = true;
                    continue;
                }
                "sslmode" if value == "verify-ca" || value == "verify-full" => {
                    // The client verifies certificates whenever TLS is required.
                    config_string.push_str("sslmode=require ");
                    continue;
                }
                "sslmode" if value == "allow" => {
                    config_string.push_str("sslmode=prefer ");
                    continue;
                }
                "service" | "sslcert" | "sslkey" | "sslcrl" | "passfile" | "gssencmode" => continue,
                _ => {}
            }
            config_string.push_str(key);
            config_string.push('=');
            config_string.push_str(&quote_value(value));
            config_string.push(' ');
        }
        let mut config = Config::from_str(config_string.trim()).map_err(|error| {
            ArchiveError::new(
                ErrorKind::Settings,
                format!("the archive URL {} is not valid: {error}", self.display),
            )
        })?;
        if config.get_password().is_none() {
            if let Some(password) = env.get("PGPASSWORD") {
                config.password(password.as_str());
            } else if let Some(file) = &credentials.pgpass {
                if let Some(password) = pgpass_lookup(file, &config) {
                    config.password(password.as_str());
                }
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(3));
        }
        let root_certificate =
            if root_certificate_required || self.root_certificate_path(env).is_some() {
                match &credentials.root_certificate {
                    Some(pem) => Some(pem.clone()),
                    None => {
                        return Err(ArchiveError::new(
                            ErrorKind::Settings,
                            "sslrootcert names a file that could not be read",
                        ))
                    }
                }
            } else {
                None
            };
        Ok(Resolved {
            config,
            root_certificate,
            display: self.display.clone(),
        })
    }
}

/// A configuration ready to connect.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub config: Config,
    root_certificate: Option<Vec<u8>>,
    display: String,
}

impl Resolved {
    /// The target as shown in messages (no password).
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Connects, with TLS as `sslmode` asks, and sets the statement timeout for this session (0 = none). The
    /// connection's driver runs on the current tokio runtime.
    pub async fn connect(&self, statement_timeout: Duration) -> Result<Client, ArchiveError> {
        let doing = format!("cannot connect to the archive at {}", self.display);
        // As libpq: TLS is never used over a Unix socket, whatever `sslmode` says.
        let client = if self.config.get_ssl_mode() == SslMode::Disable || self.is_local_socket() {
            let (client, connection) = self
                .config
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(|e| ArchiveError::from_postgres(e, &doing))?;
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!("archive connection ended: {error}");
                }
            });
            client
        } else {
            let tls = tokio_postgres_rustls::MakeRustlsConnect::new(self.tls_config()?);
            let (client, connection) = self
                .config
                .connect(tls)
                .await
                .map_err(|e| ArchiveError::from_postgres(e, &doing))?;
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::debug!("archive connection ended: {error}");
                }
            });
            client
        };
        let milliseconds = statement_timeout.as_millis();
        client
            .batch_execute(&format!("SET statement_timeout = {milliseconds}"))
            .await
            .map_err(|e| ArchiveError::from_postgres(e, &doing))?;
        // PostgreSQL compiles a query costed over its JIT threshold, and a lookup of a draft's buckets across 16
        // partitions is costed over it although it runs in milliseconds: compiling took 25-40 ms of a 50 ms
        // lookup. Verbatim's statements are index probes and bulk writes, which JIT never repays. (A server
        // older than 11 has no such setting: nothing to turn off.)
        let _ = client.batch_execute("SET jit = off").await;
        Ok(client)
    }

    /// Whether every host is a Unix socket (where TLS is never used, as with libpq).
    pub fn is_local_socket(&self) -> bool {
        self.config
            .get_hosts()
            .iter()
            .all(|host| matches!(host, Host::Unix(_)))
    }

    fn tls_config(&self) -> Result<rustls::ClientConfig, ArchiveError> {
        let mut roots = rustls::RootCertStore::empty();
        match &self.root_certificate {
            Some(pem) => {
                use rustls_pki_types::pem::PemObject;
                for certificate in rustls_pki_types::CertificateDer::pem_slice_iter(pem) {
                    let certificate = certificate.map_err(|error| {
                        ArchiveError::new(
                            ErrorKind::Settings,
                            format!("sslrootcert is not a PEM certificate: {error}"),
                        )
                    })?;
                    roots.add(certificate).map_err(|error| {
                        ArchiveError::new(
                            ErrorKind::Settings,
                            format!("sslrootcert holds an unusable certificate: {error}"),
                        )
                    })?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| ArchiveError::new(ErrorKind::Settings, error.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(config)
    }
}

/// `postgresql://user:password@host1:5432,host2/dbname?key=value` → libpq pairs (percent-decoded).
fn parse_url(url: &str) -> Result<Vec<(String, String)>, ArchiveError> {
    let invalid = |why: &str| {
        ArchiveError::new(
            ErrorKind::Settings,
            format!("the archive URL is not valid: {why}"),
        )
    };
    let rest = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
        .ok_or_else(|| invalid("it must start with postgresql://"))?;
    let (before_query, query) = match rest.split_once('?') {
        Some((a, b)) => (a, Some(b)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.split_once('/') {
        Some((a, b)) => (a, b),
        None => (before_query, ""),
    };
    let mut pairs = Vec::new();
    let hosts = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            if !user.is_empty() {
                pairs.push(("user".into(), decode(user).map_err(|e| invalid(&e))?));
            }
            if let Some(password) = password {
                pairs.push((
                    "password".into(),
                    decode(password).map_err(|e| invalid(&e))?,
                ));
            }
            hosts
        }
        None => authority,
    };
    if !hosts.is_empty() {
        let mut host_list = Vec::new();
        let mut port_list = Vec::new();
        for host in hosts.split(',') {
            // [::1]:5432, host:5432, host
            let (name, port) = if let Some(inner) = host.strip_prefix('[') {
                let (name, after) = inner
                    .split_once(']')
                    .ok_or_else(|| invalid("an IPv6 host lacks its closing ]"))?;
                (
                    name.to_string(),
                    after.strip_prefix(':').map(str::to_string),
                )
            } else {
                match host.rsplit_once(':') {
                    Some((name, port)) => (name.to_string(), Some(port.to_string())),
                    None => (host.to_string(), None),
                }
            };
            host_list.push(decode(&name).map_err(|e| invalid(&e))?);
            port_list.push(port.unwrap_or_default());
        }
        if host_list.iter().any(|h| !h.is_empty()) {
            pairs.push(("host".into(), host_list.join(",")));
        }
        if port_list.iter().any(|p| !p.is_empty()) {
            pairs.push(("port".into(), port_list.join(",")));
        }
    }
    if !path.is_empty() {
        pairs.push(("dbname".into(), decode(path).map_err(|e| invalid(&e))?));
    }
    if let Some(query) = query {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| invalid(&format!("`{pair}` has no value")))?;
            pairs.push((
                decode(key).map_err(|e| invalid(&e))?,
                decode(value).map_err(|e| invalid(&e))?,
            ));
        }
    }
    Ok(pairs)
}

/// `host=x port=5432 dbname='my db'` → pairs (libpq quoting: single quotes, backslash escapes).
fn parse_key_values(text: &str) -> Result<Vec<(String, String)>, ArchiveError> {
    let invalid = |why: String| {
        ArchiveError::new(
            ErrorKind::Settings,
            format!("the archive connection string is not valid: {why}"),
        )
    };
    let mut pairs = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(invalid(format!("`{key}` has no value")));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '\'' => {
                        closed = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(invalid(format!(
                    "the value of `{key}` lacks its closing quote"
                )));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                if c == '\\' {
                    chars.next();
                    value.extend(chars.next());
                    continue;
                }
                value.push(c);
                chars.next();
            }
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

fn decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text
                .get(index + 1..index + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent-escape in `{text}`"))?;
            out.push(hex);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("`{text}` is not UTF-8 once decoded"))
}

fn quote_value(value: &str) -> String {
    if !value.is_empty() && !value.contains([' ', '\'', '\\']) {
        return value.to_string();
    }
    let mut quoted = String::from("'");
    for c in value.chars() {
        if c == '\'' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('\'');
    quoted
}

fn redacted(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            if k == "password" {
                format!("{k}=******")
            } else {
                format!("{k}={}", quote_value(v))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `[service]` section of a service file, as pairs.
fn service_entries(file: &str, service: &str) -> Option<Vec<(String, String)>> {
    let mut inside = false;
    let mut found = false;
    let mut entries = Vec::new();
    for line in file.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = name.trim() == service;
            found |= inside;
            continue;
        }
        if inside {
            if let Some((key, value)) = line.split_once('=') {
                entries.push((key.trim().to_string(), value.trim().to_string()));
            }
        }
    }
    found.then_some(entries)
}

/// The password for `config` in a `.pgpass` file (`host:port:database:user:password`, `*` matches anything,
/// `\:` and `\\` escape; a Unix-socket host matches `localhost`, as libpq does).
fn pgpass_lookup(file: &str, config: &Config) -> Option<String> {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(name)) => name.clone(),
        Some(Host::Unix(_)) | None => "localhost".to_string(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let database = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or_default()
        .to_string();
    let user = config.get_user().unwrap_or_default().to_string();
    for line in file.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        if fields.len() != 5 {
            continue;
        }
        let matches = |field: &str, value: &str| field == "*" || field == value;
        if matches(&fields[0], &host)
            && matches(&fields[1], &port)
            && matches(&fields[2], &database)
            && matches(&fields[3], &user)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field").push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(pairs: &[(&str, &str)]) -> Credentials {
        Credentials {
            environment: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Credentials::default()
        }
    }

    #[test]
    fn a_password_in_the_settings_file_is_refused() {
        let error = Target::parse(
            "postgresql://editor:secret@db.example/archive",
            UrlOrigin::SettingsFile,
        )
        .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Settings);
        assert!(error.message.contains("PGPASSWORD"), "{}", error.message);
        let error = Target::parse("host=db password=secret", UrlOrigin::SettingsFile).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Settings);
        // Given on the command line or in the environment, it is accepted but never shown.
        let target =
            Target::parse("postgresql://editor:secret@db/archive", UrlOrigin::Given).unwrap();
        assert!(!target.display().contains("secret"));
    }

    #[test]
    fn urls_and_key_values() {
        let target = Target::parse(
            "postgresql://reader@%2Frun%2Fpostgresql:5433/news%20archive?sslmode=disable",
            UrlOrigin::SettingsFile,
        )
        .unwrap();
        let resolved = target.resolve(&credentials(&[])).unwrap();
        assert_eq!(resolved.config.get_user(), Some("reader"));
        assert_eq!(resolved.config.get_dbname(), Some("news archive"));
        assert_eq!(resolved.config.get_ports(), &[5433]);
        assert!(resolved.is_local_socket());
        let target =
            Target::parse("host=/tmp dbname='my db' user=x", UrlOrigin::SettingsFile).unwrap();
        let resolved = target.resolve(&credentials(&[])).unwrap();
        assert_eq!(resolved.config.get_dbname(), Some("my db"));
    }

    #[test]
    fn password_from_environment_then_pgpass() {
        let target = Target::parse(
            "host=db.example user=editor dbname=archive",
            UrlOrigin::SettingsFile,
        )
        .unwrap();
        let resolved = target
            .resolve(&credentials(&[("PGPASSWORD", "from-env")]))
            .unwrap();
        assert_eq!(resolved.config.get_password(), Some(&b"from-env"[..]));
        let mut with_file = credentials(&[]);
        with_file.pgpass =
            Some("# comment\nother:*:*:*:no\ndb.example:5432:archive:editor:pa\\:ss\n".to_string());
        let resolved = target.resolve(&with_file).unwrap();
        assert_eq!(resolved.config.get_password(), Some(&b"pa:ss"[..]));
    }

    #[test]
    fn service_files() {
        let target = Target::parse("service=newsroom", UrlOrigin::SettingsFile).unwrap();
        let mut given = credentials(&[]);
        given.service_files =
            vec!["[newsroom]\nhost=db.example\ndbname=archive\nuser=reader\n".into()];
        let resolved = target.resolve(&given).unwrap();
        assert_eq!(resolved.config.get_dbname(), Some("archive"));
        let error = target.resolve(&credentials(&[])).unwrap_err();
        assert!(error.message.contains("newsroom"));
    }
}
