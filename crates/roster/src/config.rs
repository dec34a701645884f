//! `roster.toml`: a config file layered under environment variables and
//! flags. Each key of the file becomes the flag of the same name, added to
//! the command line only when neither the flag nor its `ROSTER_*`
//! variable is already given, and only for commands that accept it. So
//! the order of precedence is: flag, environment, file, built-in default.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::Cli;

/// The commented example printed by `roster config print-default`.
pub const EXAMPLE: &str = include_str!("../roster.example.toml");

fn env_name(key: &str) -> String {
    format!("ROSTER_{}", key.to_uppercase().replace('-', "_"))
}

/// Where the config file is: `--config PATH`, `ROSTER_CONFIG`, or
/// `./roster.toml` when it exists. The `--config` pair is removed from
/// `args`.
pub fn locate(args: &mut Vec<String>) -> Option<PathBuf> {
    if let Some(i) = args.iter().position(|a| a == "--config") {
        if i + 1 < args.len() {
            let p = args.remove(i + 1);
            args.remove(i);
            return Some(PathBuf::from(p));
        }
    }
    if let Some(i) = args.iter().position(|a| a.starts_with("--config=")) {
        let p = args.remove(i)["--config=".len()..].to_string();
        return Some(PathBuf::from(p));
    }
    if let Ok(p) = std::env::var("ROSTER_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let default = Path::new("roster.toml");
    default.exists().then(|| default.to_path_buf())
}

/// The long flag names the command line `args` accepts (global flags plus
/// those of the subcommand it names).
fn accepted(args: &[String]) -> Vec<String> {
    let mut cmd = Cli::command();
    let mut names: Vec<String> = cmd.get_arguments().filter_map(|a| a.get_long().map(str::to_string)).collect();
    for word in args.iter().skip(1).filter(|a| !a.starts_with('-')) {
        match cmd.find_subcommand(word) {
            Some(sub) => {
                cmd = sub.clone();
                names.extend(cmd.get_arguments().filter_map(|a| a.get_long().map(str::to_string)));
            }
            None => break,
        }
    }
    names
}

fn render(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Array(items) => Some(items.iter().filter_map(render).collect::<Vec<_>>().join(",")),
        _ => None,
    }
}

/// For a key whose `no-` form is a flag (`snapshots` for
/// `--no-snapshots`), that form: `key = false` in the file means
/// `--no-key`, `key = true` the default. A key that is also a flag of its
/// own (`faults = "rules.yaml"` is `--faults`) means that flag unless its
/// value is true or false.
fn negated(key: &str, value: &toml::Value, flags: &[String]) -> Option<String> {
    let neg = format!("no-{key}");
    let own = flags.iter().any(|f| f == key);
    (flags.contains(&neg) && (!own || value.is_bool())).then_some(neg)
}

/// Parses the file's text into `(key, value)` pairs, refusing unknown keys.
pub fn parse(text: &str) -> anyhow::Result<Vec<(String, toml::Value)>> {
    let table: toml::Table = text.parse().context("roster.toml is not valid TOML")?;
    let mut known: Vec<String> = Vec::new();
    let cmd = Cli::command();
    known.extend(cmd.get_arguments().filter_map(|a| a.get_long().map(str::to_string)));
    for sub in cmd.get_subcommands() {
        known.extend(sub.get_arguments().filter_map(|a| a.get_long().map(str::to_string)));
    }
    let mut out = Vec::new();
    for (k, v) in table {
        if let Some(neg) = negated(&k, &v, &known) {
            let toml::Value::Boolean(on) = v else { anyhow::bail!("roster.toml: '{k}' must be true or false") };
            out.push((neg, toml::Value::Boolean(!on)));
            continue;
        }
        if !known.contains(&k) || k == "help" || k == "version" {
            anyhow::bail!("roster.toml: unknown setting '{k}'");
        }
        out.push((k, v));
    }
    Ok(out)
}

/// Adds the file's settings to `args` where neither a flag nor an
/// environment variable already sets them.
pub fn overlay(args: &mut Vec<String>, settings: &[(String, toml::Value)], env: impl Fn(&str) -> bool) {
    let accepted = accepted(args);
    for (key, value) in settings {
        let flag = format!("--{key}");
        let given = args.iter().any(|a| *a == flag || a.starts_with(&format!("{flag}=")));
        if given || env(&env_name(key)) || !accepted.contains(key) {
            continue;
        }
        match value {
            toml::Value::Boolean(true) => args.push(flag),
            toml::Value::Boolean(false) => {}
            other => {
                if let Some(v) = render(other) {
                    args.push(format!("{flag}={v}"));
                }
            }
        }
    }
}

/// Finds, reads and applies the config file to `args`.
pub fn apply(args: &mut Vec<String>) -> anyhow::Result<()> {
    let Some(path) = locate(args) else { return Ok(()) };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let settings = parse(&text).with_context(|| format!("in {}", path.display()))?;
    overlay(args, &settings, |name| std::env::var_os(name).is_some());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn the_printed_example_parses() {
        let settings = parse(EXAMPLE).unwrap();
        assert!(settings.iter().any(|(k, _)| k == "listen"));
    }

    #[test]
    fn flags_beat_the_environment_which_beats_the_file() {
        let settings = parse("listen = \"127.0.0.1:9\"\ndb = \"file.db\"\nanonymous-access = true").unwrap();
        let mut args = argv("roster serve --db flag.db");
        overlay(&mut args, &settings, |_| false);
        assert_eq!(args, argv("roster serve --db flag.db --anonymous-access --listen=127.0.0.1:9"));
        let mut args = argv("roster serve");
        overlay(&mut args, &settings, |name| name == "ROSTER_LISTEN");
        assert_eq!(args, argv("roster serve --anonymous-access --db=file.db"));
    }

    #[test]
    fn settings_a_command_does_not_take_are_left_out() {
        let settings = parse("listen = \"127.0.0.1:9\"\ndb = \"file.db\"").unwrap();
        let mut args = argv("roster group list");
        overlay(&mut args, &settings, |_| false);
        assert_eq!(args, argv("roster group list --db=file.db"));
    }

    #[test]
    fn connection_settings_and_the_token_file_become_serve_flags() {
        let settings = parse(EXAMPLE).unwrap();
        for key in ["header-read-timeout", "idle-timeout", "body-read-timeout", "body-min-rate", "shutdown-grace"] {
            assert!(settings.iter().any(|(k, _)| k == key), "{key} missing from the example");
        }
        let settings = parse("idle-timeout = 0.5\nmax-connections = 100\nadmin-token-file = \"/run/t\"").unwrap();
        let mut args = argv("roster serve");
        overlay(&mut args, &settings, |_| false);
        assert_eq!(args, argv("roster serve --admin-token-file=/run/t --idle-timeout=0.5 --max-connections=100"));
    }

    #[test]
    fn a_key_false_is_the_no_flag_of_that_name() {
        let settings = parse("snapshots = false").unwrap();
        let mut args = argv("roster serve");
        overlay(&mut args, &settings, |_| false);
        assert_eq!(args, argv("roster serve --no-snapshots"));
        let mut args = argv("roster serve");
        overlay(&mut args, &parse("snapshots = true").unwrap(), |_| false);
        assert_eq!(args, argv("roster serve"));
        let mut args = argv("roster serve");
        overlay(&mut args, &settings, |name| name == "ROSTER_NO_SNAPSHOTS");
        assert_eq!(args, argv("roster serve"));
        assert!(parse("snapshots = \"off\"").unwrap_err().to_string().contains("true or false"));
    }

    #[test]
    fn faults_false_switches_fault_injection_off_and_a_file_name_loads_rules() {
        let mut args = argv("roster serve");
        overlay(&mut args, &parse("faults = false").unwrap(), |_| false);
        assert_eq!(args, argv("roster serve --no-faults"));
        let mut args = argv("roster serve");
        overlay(&mut args, &parse("faults = \"rules.yaml\"\njournal-size = 500").unwrap(), |_| false);
        assert_eq!(args, argv("roster serve --faults=rules.yaml --journal-size=500"));
    }

    #[test]
    fn unknown_settings_and_bad_toml_are_refused() {
        assert!(parse("lisen = 1").unwrap_err().to_string().contains("lisen"));
        assert!(parse("listen = ").is_err());
    }

    #[test]
    fn the_rate_limit_and_its_key_cap_are_settings_of_serve() {
        let settings = parse("rate-limit = \"600/60\"\nrate-limit-keys = 5000").unwrap();
        let mut args = argv("roster serve");
        overlay(&mut args, &settings, |_| false);
        assert_eq!(args, argv("roster serve --rate-limit=600/60 --rate-limit-keys=5000"));
        let cli = <Cli as clap::Parser>::try_parse_from(&args).unwrap();
        let crate::cli::Command::Serve(serve) = cli.command else { panic!("not serve") };
        assert_eq!(serve.rate_limit_keys, 5000);
        let zero = <Cli as clap::Parser>::try_parse_from(argv("roster serve --rate-limit-keys=0"));
        assert!(zero.is_err(), "a cap of 0 keys was accepted");
    }
}
