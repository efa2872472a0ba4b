//! Splitting an inline command line into arguments, with the quoting rules of Redis's
//! `sdssplitargs` (and so of redis-cli): double quotes with `\xHH`, `\n`, `\r`, `\t`,
//! `\b`, `\a` escapes; single quotes with only `\'`; a closing quote must be followed by
//! a space or the end of the line. `None` means unbalanced quotes.

use bytes::Bytes;

/// Splits `line` into arguments; `None` on unbalanced or badly closed quotes.
/// A NUL byte ends the line, as it ends a C string in Redis.
pub fn split_args(line: &[u8]) -> Option<Vec<Bytes>> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    let mut args = Vec::new();
    let mut pos = 0;
    loop {
        while pos < line.len() && is_space(line[pos]) {
            pos += 1;
        }
        if pos == line.len() {
            return Some(args);
        }
        let (arg, next) = split_one(line, pos)?;
        args.push(Bytes::from(arg));
        pos = next;
    }
}

/// C's `isspace` in the "C" locale.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Reads one argument starting at `start`; returns it and the position after it.
fn split_one(line: &[u8], start: usize) -> Option<(Vec<u8>, usize)> {
    let mut current = Vec::new();
    let mut pos = start;
    while pos < line.len() {
        match line[pos] {
            b' ' | b'\n' | b'\r' | b'\t' => return Some((current, pos + 1)),
            b'"' => return double_quoted(line, pos + 1, current),
            b'\'' => return single_quoted(line, pos + 1, current),
            byte => current.push(byte),
        }
        pos += 1;
    }
    Some((current, pos))
}

/// Continues an argument inside double quotes; `pos` is just past the opening quote.
fn double_quoted(line: &[u8], mut pos: usize, mut current: Vec<u8>) -> Option<(Vec<u8>, usize)> {
    loop {
        let byte = *line.get(pos)?;
        let next = line.get(pos + 1).copied();
        if byte == b'\\' && next == Some(b'x') {
            if let (Some(hi), Some(lo)) = (hex(line.get(pos + 2)), hex(line.get(pos + 3))) {
                current.push(hi * 16 + lo);
                pos += 4;
                continue;
            }
        }
        if byte == b'\\' && next.is_some() {
            current.push(match next.unwrap_or(b'\\') {
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'b' => 0x08,
                b'a' => 0x07,
                other => other,
            });
            pos += 2;
        } else if byte == b'"' {
            return closing_quote(line, pos, current);
        } else {
            current.push(byte);
            pos += 1;
        }
    }
}

/// Continues an argument inside single quotes; `pos` is just past the opening quote.
fn single_quoted(line: &[u8], mut pos: usize, mut current: Vec<u8>) -> Option<(Vec<u8>, usize)> {
    loop {
        let byte = *line.get(pos)?;
        if byte == b'\\' && line.get(pos + 1) == Some(&b'\'') {
            current.push(b'\'');
            pos += 2;
        } else if byte == b'\'' {
            return closing_quote(line, pos, current);
        } else {
            current.push(byte);
            pos += 1;
        }
    }
}

/// A closing quote at `pos` must be followed by a space or the end of the line.
fn closing_quote(line: &[u8], pos: usize, current: Vec<u8>) -> Option<(Vec<u8>, usize)> {
    match line.get(pos + 1) {
        Some(&after) if !is_space(after) => None,
        Some(_) => Some((current, pos + 2)),
        None => Some((current, pos + 1)),
    }
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    (*byte? as char).to_digit(16).map(|d| d as u8)
}

/// Appends `bytes` in double quotes with C-style escapes, as Redis quotes arguments
/// (sdscatrepr): what [`split_args`] reads back as one argument.
pub fn quote_into(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &byte in bytes {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\x{byte:02x}")),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::split_args;

    fn split(line: &str) -> Option<Vec<Vec<u8>>> {
        split_args(line.as_bytes()).map(|args| args.into_iter().map(|a| a.to_vec()).collect())
    }

    #[test]
    fn plain_words_and_spaces() {
        assert_eq!(
            split("set  k\tv "),
            Some(vec![b"set".to_vec(), b"k".to_vec(), b"v".to_vec()])
        );
        assert_eq!(split("   "), Some(vec![]));
    }

    #[test]
    fn double_quotes_and_escapes() {
        assert_eq!(
            split(r#""a b" "\x41\n" "\q""#),
            Some(vec![b"a b".to_vec(), b"A\n".to_vec(), b"q".to_vec()])
        );
        assert_eq!(split(r#""""#), Some(vec![b"".to_vec()]));
        assert_eq!(split(r#""\x4""#), Some(vec![b"x4".to_vec()]));
    }

    #[test]
    fn single_quotes() {
        assert_eq!(
            split(r"'it\'s' '\n'"),
            Some(vec![b"it's".to_vec(), b"\\n".to_vec()])
        );
    }

    #[test]
    fn unbalanced_or_glued_quotes() {
        assert_eq!(split(r#""abc"#), None);
        assert_eq!(split(r#""abc"d"#), None);
        assert_eq!(split("'abc"), None);
        assert_eq!(split(r#""abc\"#), None);
    }

    #[test]
    fn quote_inside_word_opens_quoting() {
        assert_eq!(split(r#"ab"c d""#), Some(vec![b"abc d".to_vec()]));
    }
}
