//! The README's settings reference is generated from the settings definitions; this keeps them equal.
//! Regenerate with `OCTOSYNC_BLESS=1 cargo test --test readme`.

const START: &str = "<!-- settings-reference:start -->\n";
const END: &str = "<!-- settings-reference:end -->";

#[test]
fn readme_settings_reference_matches_the_definitions() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (head, rest) = readme
        .split_once(START)
        .expect("README has the settings-reference start marker");
    let (_, tail) = rest
        .split_once(END)
        .expect("README has the settings-reference end marker");
    let expected = format!(
        "{head}{START}{}{END}{tail}",
        octosync::settings::definitions::markdown_reference()
    );
    if std::env::var_os("OCTOSYNC_BLESS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    assert!(
        readme == expected,
        "README settings reference is stale; run OCTOSYNC_BLESS=1 cargo test --test readme"
    );
}
