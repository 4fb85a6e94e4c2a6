//! The README's generated parts (the settings reference and the output variables) match the code.
//! Regenerate with `OCTOSYNC_BLESS=1 cargo test --test readme`.

/// Replaces what stands between `<!-- {marker}:start -->` and `<!-- {marker}:end -->` with `body`.
fn with_block(readme: &str, marker: &str, body: &str) -> String {
    let start = format!("<!-- {marker}:start -->\n");
    let end = format!("<!-- {marker}:end -->");
    let (head, rest) = readme
        .split_once(&start)
        .unwrap_or_else(|| panic!("README has the {marker} start marker"));
    let (_, tail) = rest
        .split_once(&end)
        .unwrap_or_else(|| panic!("README has the {marker} end marker"));
    format!("{head}{start}{body}{end}{tail}")
}

#[test]
fn readme_settings_reference_and_output_variables_match_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let expected = with_block(
        &readme,
        "settings-reference",
        &octosync::settings::definitions::markdown_reference(),
    );
    let expected = with_block(
        &expected,
        "output-variables",
        &octosync::report::output_variables_markdown(),
    );
    if std::env::var_os("OCTOSYNC_BLESS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    assert!(
        readme == expected,
        "README's generated parts are stale; run OCTOSYNC_BLESS=1 cargo test --test readme"
    );
}
