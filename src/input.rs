//! Reading articles: `.txt` files, folders, JSON Lines files and stdin, streamed one article
//! at a time. Every problem becomes an [`InputError`] for that article; reading goes on.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One article to analyse.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The record id: a JSON Lines `id`, or a file name without extension.
    pub id: String,
    /// The title, if known.
    pub title: Option<String>,
    /// The text exactly as read.
    pub text: String,
}

/// An article that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The id the output record gets.
    pub id: String,
    /// True when the id was made up from the file and line (the input had none).
    pub synthetic_id: bool,
    /// Where it came from, for messages: "path" or "path:line".
    pub location: String,
    /// What went wrong.
    pub message: String,
}

/// One item of input.
pub type Item = Result<Article, InputError>;

/// Limits on what is read.
#[derive(Debug, Clone, Copy)]
pub struct InputOptions {
    /// Largest article accepted, in bytes.
    pub max_article_bytes: usize,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            max_article_bytes: 8 * 1024 * 1024,
        }
    }
}

enum Source {
    Txt(PathBuf),
    Jsonl {
        name: String,
        reader: Box<dyn BufRead + Send>,
        line: usize,
    },
    Failed(InputError),
}

/// A streaming reader over every input path.
pub struct Inputs {
    pending: VecDeque<Source>,
    opts: InputOptions,
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

impl Inputs {
    /// Opens `paths`: files, folders (their `.txt` and `.jsonl` files, sorted by name), or `-`
    /// for JSON Lines on stdin.
    pub fn open(paths: &[PathBuf], opts: InputOptions) -> Self {
        let mut pending = VecDeque::new();
        for p in paths {
            if p.as_os_str() == "-" {
                pending.push_back(Source::Jsonl {
                    name: "<stdin>".into(),
                    reader: Box::new(BufReader::new(std::io::stdin())),
                    line: 0,
                });
            } else if p.is_dir() {
                match std::fs::read_dir(p) {
                    Ok(rd) => {
                        let mut files: Vec<PathBuf> = rd
                            .filter_map(|e| e.ok().map(|e| e.path()))
                            .filter(|f| f.is_file())
                            .filter(|f| {
                                matches!(
                                    f.extension().and_then(|e| e.to_str()),
                                    Some("txt" | "jsonl")
                                )
                            })
                            .collect();
                        files.sort();
                        for f in files {
                            pending.push_back(Self::file_source(&f));
                        }
                    }
                    Err(e) => pending.push_back(Source::Failed(InputError {
                        id: stem(p),
                        synthetic_id: false,
                        location: p.display().to_string(),
                        message: format!("cannot read folder: {e}"),
                    })),
                }
            } else {
                pending.push_back(Self::file_source(p));
            }
        }
        Inputs { pending, opts }
    }

    /// Reads JSON Lines from `reader`, whose lines are named `name:LINE` in error records.
    pub fn from_jsonl_reader(
        name: &str,
        reader: Box<dyn BufRead + Send>,
        opts: InputOptions,
    ) -> Self {
        let mut pending = VecDeque::new();
        pending.push_back(Source::Jsonl {
            name: name.into(),
            reader,
            line: 0,
        });
        Inputs { pending, opts }
    }

    fn file_source(path: &Path) -> Source {
        let is_jsonl = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("jsonl" | "json" | "ndjson")
        );
        if !is_jsonl {
            return Source::Txt(path.to_path_buf());
        }
        match File::open(path) {
            Ok(f) => Source::Jsonl {
                name: path.display().to_string(),
                reader: Box::new(BufReader::with_capacity(1 << 16, f)),
                line: 0,
            },
            Err(e) => Source::Failed(InputError {
                id: stem(path),
                synthetic_id: false,
                location: path.display().to_string(),
                message: format!("cannot open: {e}"),
            }),
        }
    }

    fn read_txt(&self, path: &Path) -> Item {
        let id = stem(path);
        let err = |message: String| InputError {
            id: id.clone(),
            synthetic_id: false,
            location: path.display().to_string(),
            message,
        };
        let f = File::open(path).map_err(|e| err(format!("cannot open: {e}")))?;
        let mut bytes = Vec::new();
        let limit = self.opts.max_article_bytes as u64;
        f.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| err(format!("cannot read: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(err(format!(
                "article too large: over {} bytes (raise --max-article-bytes to accept it)",
                limit
            )));
        }
        let text = decode(bytes).map_err(err)?;
        let title = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(str::to_string);
        Ok(Article { id, title, text })
    }

    fn next_jsonl(&mut self) -> Option<Item> {
        let max = self.opts.max_article_bytes;
        let Some(Source::Jsonl { name, reader, line }) = self.pending.front_mut() else {
            return None;
        };
        loop {
            let mut buf = Vec::new();
            *line += 1;
            let at = format!("{name}:{line}");
            let synthetic = |message: String| InputError {
                id: at.clone(),
                synthetic_id: true,
                location: at.clone(),
                message,
            };
            // Read at most what an article of the limit can take as JSON (escapes such as
            // `\u00e9` make up to six bytes of one); the rest of a huge line is skipped
            // unread, so memory stays bounded whatever the line's length.
            let cap = max.saturating_mul(6).saturating_add(4096);
            let n = match read_line_limited(reader.as_mut(), &mut buf, cap) {
                Ok(n) => n,
                Err(e) => {
                    self.pending.pop_front();
                    return Some(Err(synthetic(format!("read error: {e}"))));
                }
            };
            if n == 0 {
                self.pending.pop_front();
                return None;
            }
            if buf.len() > cap {
                return Some(Err(synthetic(format!(
                    "line too long: over {cap} bytes, more than an article of {max} bytes can \
                     take (raise --max-article-bytes to accept it)"
                ))));
            }
            if buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let s = match String::from_utf8(buf) {
                Ok(s) => s,
                Err(e) => {
                    return Some(Err(synthetic(format!(
                        "invalid UTF-8 at byte {}",
                        e.utf8_error().valid_up_to()
                    ))))
                }
            };
            let v: serde_json::Value = match serde_json::from_str(&s) {
                Ok(v) => v,
                Err(e) => return Some(Err(synthetic(format!("not JSON: {e}")))),
            };
            let Some(obj) = v.as_object() else {
                return Some(Err(synthetic("not a JSON object".into())));
            };
            let id = match obj.get("id") {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let text = match obj.get("text") {
                Some(serde_json::Value::String(t)) => TextField::Text(t.clone()),
                Some(_) => TextField::NotAString,
                None => TextField::Missing,
            };
            let title = obj
                .get("title")
                .and_then(|t| t.as_str())
                .map(str::to_string);
            return Some(from_fields(id, text, title, &at, self.opts));
        }
    }
}

/// An article's `text` field as read: a string, something else, or absent.
#[derive(Debug, Clone, PartialEq)]
pub enum TextField {
    /// A string.
    Text(String),
    /// Present, but not a string.
    NotAString,
    /// Absent.
    Missing,
}

/// The item of an article given by its fields, read as a JSON Lines object's are (and the
/// Python binding's dicts): `id` is `None` where absent or neither a string nor a number, and
/// the article is then named by `location`; the text must be a string, not over the size
/// limit, not empty.
pub fn from_fields(
    id: Option<String>,
    text: TextField,
    title: Option<String>,
    location: &str,
    opts: InputOptions,
) -> Item {
    let synthetic_id = id.is_none();
    let id = id.unwrap_or_else(|| location.to_string());
    let err = |message: &str| {
        Err(InputError {
            id: id.clone(),
            synthetic_id,
            location: location.to_string(),
            message: message.to_string(),
        })
    };
    let text = match text {
        TextField::Text(t) => t,
        TextField::NotAString => return err("field \"text\" is not a string"),
        TextField::Missing => return err("no \"text\" field"),
    };
    checked(Article { id, title, text }, synthetic_id, location, opts)
}

/// An article with the checks every article passes: not over the size limit, not empty.
/// `location` names it in an error.
fn checked(article: Article, synthetic_id: bool, location: &str, opts: InputOptions) -> Item {
    let max = opts.max_article_bytes;
    let err = |message: String| InputError {
        id: article.id.clone(),
        synthetic_id,
        location: location.to_string(),
        message,
    };
    if article.text.len() > max {
        return Err(err(format!(
            "article too large: over {max} bytes (raise --max-article-bytes to accept it)"
        )));
    }
    if article.text.trim().is_empty() {
        return Err(err("empty article".into()));
    }
    Ok(article)
}

/// Reads one line (through `\n`) into `buf`, keeping at most `cap` bytes of it; returns the
/// number of bytes consumed.
fn read_line_limited(r: &mut dyn BufRead, buf: &mut Vec<u8>, cap: usize) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let chunk = r.fill_buf()?;
        if chunk.is_empty() {
            return Ok(total);
        }
        let (take, done) = match memchr_nl(chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room + 1)]);
        r.consume(take);
        total += take;
        if done {
            return Ok(total);
        }
    }
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Decodes a file's bytes: rejects binary data, invalid UTF-8 and empty articles.
fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.contains(&0) {
        return Err("binary file (contains NUL bytes)".into());
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))?;
    if text.trim().is_empty() {
        return Err("empty article".into());
    }
    Ok(text)
}

impl Iterator for Inputs {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            match self.pending.pop_front()? {
                Source::Txt(p) => return Some(self.read_txt(&p)),
                Source::Failed(e) => return Some(Err(e)),
                jsonl => {
                    // Lines are read from the front source until it ends.
                    self.pending.push_front(jsonl);
                    if let Some(item) = self.next_jsonl() {
                        return Some(item);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_rejects_bad_bytes() {
        assert!(decode(b"a\0b".to_vec()).unwrap_err().contains("binary"));
        assert!(decode(vec![b'a', 0xff, b'b'])
            .unwrap_err()
            .contains("UTF-8 at byte 1"));
        assert!(decode(b"  \n".to_vec()).unwrap_err().contains("empty"));
        assert_eq!(decode("Björn".as_bytes().to_vec()).unwrap(), "Björn");
    }

    #[test]
    fn limited_lines() {
        let data = b"short\nthis line is long\nend";
        let mut r: &[u8] = data;
        let mut buf = Vec::new();
        assert_eq!(read_line_limited(&mut r, &mut buf, 100).unwrap(), 6);
        assert_eq!(buf, b"short\n");
        buf.clear();
        assert_eq!(read_line_limited(&mut r, &mut buf, 4).unwrap(), 18);
        assert_eq!(buf.len(), 5);
        buf.clear();
        assert_eq!(read_line_limited(&mut r, &mut buf, 100).unwrap(), 3);
    }
}
