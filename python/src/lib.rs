//! The Python module `whosaid`: `analyze` for one article, `pipe` for many (in input order,
//! in parallel, without the GIL while it works). Records are the command line's: the same
//! JSON, read by Python's `json` module, so a record from here equals the CLI's for the same
//! article, error records included.

use ::whosaid::input::{self, InputOptions, Item, TextField};
use ::whosaid::Pipeline;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::OnceLock;

/// The pipeline with the built-in models, loaded once per process.
fn pipeline() -> PyResult<&'static Pipeline> {
    static P: OnceLock<Result<Pipeline, String>> = OnceLock::new();
    P.get_or_init(|| Pipeline::new_default().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| PyValueError::new_err(format!("whosaid: cannot load its models: {e}")))
}

/// The name of a value's type, for messages.
fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

fn json_loads(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py.import("json")?.getattr("loads")
}

/// The JSON of one item's record.
fn record_json(p: &Pipeline, item: &Item) -> String {
    let mut buf = Vec::new();
    p.write_record(item, &mut buf)
        .expect("serializing to memory cannot fail");
    String::from_utf8(buf).expect("records are UTF-8")
}

/// An item of `pipe`: a string (id `item:N`, no title) or a dict with `text` and optional
/// `id` (str or int) and `title`, read as the CLI reads a JSON Lines object: a dict without a
/// string `text` gets the CLI's error record. Anything else is a `TypeError`.
fn to_item(obj: &Bound<'_, PyAny>, n: usize, opts: InputOptions) -> PyResult<Item> {
    let at = format!("item:{n}");
    if let Ok(s) = obj.downcast::<PyString>() {
        let text = TextField::Text(s.extract::<String>()?);
        return Ok(input::from_fields(None, text, None, &at, opts));
    }
    let Ok(d) = obj.downcast::<PyDict>() else {
        return Err(PyTypeError::new_err(format!(
            "whosaid.pipe: item {n} is {}, not a str or a dict with \"text\"",
            type_name(obj)
        )));
    };
    let id = match d.get_item("id")? {
        Some(v) if v.is_instance_of::<PyString>() => Some(v.extract::<String>()?),
        Some(v)
            if v.is_instance_of::<pyo3::types::PyInt>()
                && !v.is_instance_of::<pyo3::types::PyBool>() =>
        {
            Some(v.str()?.to_string())
        }
        _ => None,
    };
    let text = match d.get_item("text")? {
        Some(v) if v.is_instance_of::<PyString>() => TextField::Text(v.extract::<String>()?),
        Some(_) => TextField::NotAString,
        None => TextField::Missing,
    };
    let title = match d.get_item("title")? {
        Some(v) if v.is_instance_of::<PyString>() => Some(v.extract::<String>()?),
        _ => None,
    };
    Ok(input::from_fields(id, text, title, &at, opts))
}

/// analyze(text, id=None, title=None) -> dict
///
/// The record of one article: entities, actors and quotes, as `whosaid run` writes it for a
/// JSON Lines line {"id": id, "title": title, "text": text}. `id` defaults to "text". An
/// empty or oversized text gets the CLI's error record (with "error").
#[pyfunction]
#[pyo3(signature = (text, id=None, title=None))]
fn analyze(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    id: Option<&Bound<'_, PyAny>>,
    title: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyObject> {
    let text: String = text.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "whosaid.analyze: text must be str, not {}",
            type_name(text)
        ))
    })?;
    let opt_str = |v: Option<&Bound<'_, PyAny>>, what: &str| -> PyResult<Option<String>> {
        match v {
            None => Ok(None),
            Some(v) if v.is_none() => Ok(None),
            Some(v) => v.extract::<String>().map(Some).map_err(|_| {
                PyTypeError::new_err(format!(
                    "whosaid.analyze: {what} must be str or None, not {}",
                    type_name(v)
                ))
            }),
        }
    };
    let id = opt_str(id, "id")?.unwrap_or_else(|| "text".to_string());
    let title = opt_str(title, "title")?;
    let p = pipeline()?;
    let item = input::from_fields(
        Some(id),
        TextField::Text(text),
        title,
        "text",
        InputOptions::default(),
    );
    let json = py.allow_threads(|| record_json(p, &item));
    Ok(json_loads(py)?.call1((json,))?.unbind())
}

/// The iterator `pipe` returns.
#[pyclass(module = "whosaid")]
struct Pipe {
    items: Py<PyAny>,
    ready: VecDeque<String>,
    batch: usize,
    pool: Option<rayon::ThreadPool>,
    seen: usize,
    done: bool,
    as_json: bool,
}

#[pymethods]
impl Pipe {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(mut slf: PyRefMut<'_, Self>, py: Python<'_>) -> PyResult<Option<PyObject>> {
        if slf.ready.is_empty() && !slf.done {
            // Take a batch with the GIL, analyse it without.
            let mut batch = Vec::with_capacity(slf.batch);
            let items = slf.items.bind(py).clone();
            while batch.len() < slf.batch {
                let next = items.call_method0("__next__");
                match next {
                    Ok(obj) => {
                        slf.seen += 1;
                        batch.push(to_item(&obj, slf.seen, InputOptions::default())?);
                    }
                    Err(e) if e.is_instance_of::<pyo3::exceptions::PyStopIteration>(py) => {
                        slf.done = true;
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            let p = pipeline()?;
            let pool = slf.pool.take();
            let lines: Vec<String> = py.allow_threads(|| {
                let work = || batch.par_iter().map(|it| record_json(p, it)).collect();
                match &pool {
                    Some(pool) => pool.install(work),
                    None => work(),
                }
            });
            slf.pool = pool;
            slf.ready.extend(lines);
        }
        match slf.ready.pop_front() {
            Some(json) if slf.as_json => Ok(Some(PyString::new(py, &json).into_any().unbind())),
            Some(json) => Ok(Some(json_loads(py)?.call1((json,))?.unbind())),
            None => Ok(None),
        }
    }
}

/// pipe(items, threads=None, batch_size=None, as_json=False) -> Iterator[dict]
///
/// Records of many articles, in input order. `items` is any iterable of str (id "item:N",
/// N counting from 1) or dicts with "text" and optional "id" and "title" (read as JSON Lines
/// objects are). Items are analysed `batch_size` (default 256) at a time in parallel on
/// `threads` threads (default: one per core), without the GIL. With `as_json`, each record
/// comes as its JSON text, the very line `whosaid run` writes.
#[pyfunction]
#[pyo3(signature = (items, threads=None, batch_size=None, as_json=false))]
fn pipe(
    items: &Bound<'_, PyAny>,
    threads: Option<usize>,
    batch_size: Option<usize>,
    as_json: bool,
) -> PyResult<Pipe> {
    let iter = items.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "whosaid.pipe: items must be iterable, not {}",
            type_name(items)
        ))
    })?;
    if batch_size == Some(0) {
        return Err(PyValueError::new_err(
            "whosaid.pipe: batch_size must be at least 1",
        ));
    }
    let pool = match threads {
        Some(0) => {
            return Err(PyValueError::new_err(
                "whosaid.pipe: threads must be at least 1",
            ))
        }
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| PyValueError::new_err(format!("whosaid.pipe: {e}")))?,
        ),
        None => None,
    };
    pipeline()?;
    Ok(Pipe {
        items: iter.into_any().unbind(),
        ready: VecDeque::new(),
        batch: batch_size.unwrap_or(256),
        pool,
        seen: 0,
        done: false,
        as_json,
    })
}

/// Who said what: named entities, quotations and their speakers in news articles.
#[pymodule]
#[pyo3(name = "whosaid")]
fn whosaid_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(pipe, m)?)?;
    m.add_class::<Pipe>()?;
    Ok(())
}
