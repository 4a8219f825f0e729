//! Byte spans over an article's text, and the conversion to Unicode code points that happens
//! only at the output edge.

use serde::Serialize;

/// A half-open byte range `[start, end)` into an article's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (bytes).
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }

    /// The slice of `text` this span covers.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers nothing.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Do the two spans share a byte?
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// True when `other` lies inside this span.
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Maps byte offsets of one text to code-point offsets (what Python slicing uses).
///
/// Pure-ASCII texts map to themselves; otherwise the map keeps the byte offset of every
/// multi-byte character and answers by binary search, so it costs memory only in proportion
/// to the non-ASCII characters.
#[derive(Debug, Clone)]
pub struct CharMap {
    /// `(byte offset just after a multi-byte char, extra bytes so far)`.
    marks: Vec<(usize, usize)>,
}

impl CharMap {
    /// Builds the map for `text`.
    pub fn new(text: &str) -> Self {
        let mut marks = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0;
            for (i, c) in text.char_indices() {
                let n = c.len_utf8();
                if n > 1 {
                    extra += n - 1;
                    marks.push((i + n, extra));
                }
            }
        }
        CharMap { marks }
    }

    /// Code-point offset of byte offset `b` (which must lie on a char boundary).
    pub fn to_char(&self, b: usize) -> usize {
        let idx = self.marks.partition_point(|&(pos, _)| pos <= b);
        if idx == 0 {
            b
        } else {
            b - self.marks[idx - 1].1
        }
    }
}

/// The other way: code-point offsets (the contract's) of one text back to its bytes, for
/// what reads records over their text (the exports, the report).
pub struct CodePoints<'t> {
    text: &'t str,
    bytes: Vec<usize>,
}

impl<'t> CodePoints<'t> {
    /// The byte offset of every code point of `text`, and of its end.
    pub fn new(text: &'t str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CodePoints { text, bytes }
    }

    /// The slice of code points `start..end`, or `None` where it does not fit the text.
    pub fn slice(&self, start: usize, end: usize) -> Option<&'t str> {
        if start > end || end >= self.bytes.len() {
            return None;
        }
        Some(&self.text[self.bytes[start]..self.bytes[end]])
    }
}

/// A span as written in the output contract: code points, with its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct OutSpan {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// `text[start:end]`.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charmap_ascii_is_identity() {
        let m = CharMap::new("hello world");
        assert_eq!(m.to_char(0), 0);
        assert_eq!(m.to_char(5), 5);
        assert_eq!(m.to_char(11), 11);
    }

    #[test]
    fn charmap_counts_code_points() {
        let t = "Zelensky’s Björn 😀 x";
        let m = CharMap::new(t);
        for (ci, (bi, _)) in t.char_indices().enumerate() {
            assert_eq!(m.to_char(bi), ci);
        }
        assert_eq!(m.to_char(t.len()), t.chars().count());
    }

    #[test]
    fn outspan_slices_back() {
        let t = "«Björn» said";
        let m = CharMap::new(t);
        let s = Span::new(t.find('B').unwrap(), t.find('»').unwrap());
        let o = OutSpan {
            start: m.to_char(s.start),
            end: m.to_char(s.end),
            text: s.slice(t).to_string(),
        };
        let sliced: String = t.chars().skip(o.start).take(o.end - o.start).collect();
        assert_eq!(sliced, o.text);
        assert_eq!(o.text, "Björn");
    }
}
