"""Who said what: named entities, quotations and their speakers in news articles."""

from typing import Any, Dict, Iterable, Iterator, Optional, Union

__version__: str

Record = Dict[str, Any]
"""One article's record, as `whosaid run` writes it (../shared/schema/article.schema.json)."""

Item = Union[str, Dict[str, Any]]
"""A text, or a dict with "text" and optional "id" (str or int) and "title"."""

def analyze(text: str, id: Optional[str] = None, title: Optional[str] = None) -> Record:
    """The record of one article (id defaults to "text"); an empty or oversized text gets
    an error record, a text that is not a str raises TypeError."""

class Pipe(Iterator[Any]):
    """Yields a Record per item (its JSON text, a str, with as_json=True)."""
    def __iter__(self) -> "Pipe": ...
    def __next__(self) -> Any: ...

def pipe(
    items: Iterable[Item],
    threads: Optional[int] = None,
    batch_size: Optional[int] = None,
    as_json: bool = False,
) -> Pipe:
    """Records of many articles in input order, analysed batch_size (default 256) at a time
    in parallel on `threads` threads without the GIL. A str item gets the id "item:N" (N from
    1); a dict is read as a JSON Lines object is. With as_json, each record is its JSON line,
    byte for byte what `whosaid run` writes. An item that is neither raises TypeError."""
