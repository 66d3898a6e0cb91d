"""Type stubs for the `shiksha` extension module (Shiksha-Setu SDK).

Every library error is raised as a subclass of `shiksha.Error` carrying `.code` and `.field`.
Calls that touch the database, hash passwords, read PDFs or embed text release the GIL, so they
may run in threads. Datetimes are naive `datetime.datetime` values in UTC. Embeddings are
float32 numpy arrays.
"""

import datetime
import os
import pathlib
from collections.abc import Callable
from typing import Any, ClassVar, Literal, TypeAlias, overload

import numpy
import numpy.typing

version: str
__version__: str

_JsonValue: TypeAlias = None | bool | int | float | str | list[Any] | dict[str, Any]
_Progress: TypeAlias = Callable[[int, int], bool | None]
"""progress(done, total): return False to cancel; None or True to go on."""

# --- errors -----------------------------------------------------------------------------

class Error(Exception):
    """Base of every library error."""

    code: str | None
    """snake_case error code ("not_found"...); set on every raised instance."""
    field: str
    """wire name of the offending input ("name", "auth.jwt_secret") or ""."""

class InvalidArgumentError(Error): ...
class NotFoundError(Error): ...
class ConflictError(Error): ...
class UnauthenticatedError(Error): ...
class PermissionDeniedError(Error): ...
class RateLimitedError(Error): ...
class UnavailableError(Error): ...
class DeadlineExceededError(Error): ...
class InternalError(Error): ...

# --- configuration ----------------------------------------------------------------------

class ServerConfig:
    host: str
    port: int
    """0 picks a free port."""
    threads: int
    max_body_bytes: int
    cors_origins: list[str]
    """Reading returns a copy: assign a new list to change it."""
    requests_per_minute: int
    allow_anonymous_upload: bool
    """Admit manual uploads without a token (rate-limited, audited)."""
    anonymous_uploads_per_hour: int
    header_timeout: int
    """seconds"""
    body_timeout: int
    """seconds"""
    idle_timeout: int
    """seconds"""
    shutdown_grace: int
    """seconds"""
    def __init__(self) -> None: ...

class AuthConfig:
    jwt_secret: str
    """HS256 signing key, at least 32 bytes."""
    access_token_ttl: int
    """seconds"""
    refresh_token_ttl: int
    """seconds"""
    login_attempts_per_minute: int
    password_hash_cost: str
    """"minimum" (tests only), "interactive" or "moderate"; anything else raises InvalidArgumentError."""
    def __init__(self) -> None: ...

class IngestConfig:
    max_pdf_bytes: int
    """Larger PDFs are refused."""
    ocr: bool
    """OCR pages without a usable text layer."""
    ocr_languages: str
    """Tesseract language packs, '+'-separated ("eng+hin")."""
    tessdata_dir: str
    """"" = Tesseract's default."""
    ocr_dpi: int
    chunk_tokens: int
    chunk_overlap: float
    """Share of a chunk repeated in the next (0-0.5)."""
    def __init__(self) -> None: ...

class EmbeddingsConfig:
    base_url: str
    """OpenAI-compatible endpoint (".../v1"); "" = the built-in offline hash embedder."""
    api_key: str
    """Sent as a Bearer token; never shown in reprs."""
    model: str
    dimension: int
    """0 = 384 for the built-in embedder, learned for a remote one."""
    def __init__(self) -> None: ...

class RetrievalConfig:
    hnsw_m: int
    hnsw_ef_construction: int
    hnsw_ef_search: int
    rrf_k: float
    """Reciprocal rank fusion constant."""
    def __init__(self) -> None: ...

class NetConfig:
    https_proxy: str
    """http://[user:pass@]host:port; never shown in reprs."""
    no_proxy: str
    ca_file: str
    max_attempts: int
    connect_timeout_ms: int
    """milliseconds"""
    read_timeout_ms: int
    """milliseconds"""
    backoff_base_ms: int
    """milliseconds, doubled per retry"""
    backoff_max_ms: int
    """milliseconds, cap for one wait"""
    def __init__(self) -> None: ...

class ExportConfig:
    """Where exported PDFs live and for how long."""
    ttl_seconds: int
    """Exported files are deleted after this many seconds."""
    public_url: str
    """Base of the links printed in the PDFs."""
    @property
    def font_dir(self) -> pathlib.Path: ...
    @font_dir.setter
    def font_dir(self, value: str | os.PathLike[str]) -> None: ...
    def __init__(self) -> None: ...

class DeliveryConfig:
    """WhatsApp gateway, rate and retries."""
    gateway: str
    """deeplink (default), meta or twilio."""
    rate_per_second: float
    """0 = the gateway's usual limit, negative = no limit."""
    max_attempts: int
    extra_country_codes: str
    meta_base_url: str
    meta_access_token: str
    meta_phone_number_id: str
    meta_app_secret: str
    meta_verify_token: str
    meta_template: str
    twilio_base_url: str
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_from: str
    backoff_base_ms: int
    backoff_max_ms: int
    def __init__(self) -> None: ...

class Config:
    @property
    def data_dir(self) -> pathlib.Path: ...
    @data_dir.setter
    def data_dir(self, value: str | os.PathLike[str]) -> None: ...
    workers: int
    server: ServerConfig
    """Mutable in place: `cfg.server.port = 0`."""
    auth: AuthConfig
    """Mutable in place: `cfg.auth.jwt_secret = ...`."""
    ingest: IngestConfig
    """Mutable in place: `cfg.ingest.ocr = False`."""
    embeddings: EmbeddingsConfig
    retrieval: RetrievalConfig
    net: NetConfig
    exports: ExportConfig
    delivery: DeliveryConfig
    log_level: str
    """"debug", "info", "warn" or "error"."""
    def __init__(self, data_dir: str | os.PathLike[str] = ..., workers: int = 0) -> None: ...
    def validate(self) -> None:
        """Raises InvalidArgumentError (with .field) when a value is out of range."""

def config_from_env() -> Config: ...
def config_env_variables() -> list[tuple[str, str]]: ...
def load_or_create_dev_jwt_secret(data_dir: str | os.PathLike[str]) -> str: ...

# --- auth -------------------------------------------------------------------------------

class Role:
    """The permission ladder, lowest first (principal and coordinator share a rung)."""

    viewer: ClassVar[Role]
    teacher: ClassVar[Role]
    principal: ClassVar[Role]
    coordinator: ClassVar[Role]
    admin: ClassVar[Role]
    __members__: ClassVar[dict[str, Role]]
    def __init__(self, value: int) -> None: ...
    @property
    def rank(self) -> int:
        """viewer 0, teacher 1, principal = coordinator 2, admin 3"""
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...
    def __int__(self) -> int: ...
    def __index__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

def parse_role(text: str) -> Role: ...

class User:
    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def school_id(self) -> int | None: ...
    @property
    def school_name(self) -> str | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def last_login(self) -> datetime.datetime | None: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...

class School:
    @property
    def id(self) -> int: ...
    name: str
    district: str
    state: str
    school_type: str
    total_teachers: int
    def __init__(
        self, name: str, district: str = "", state: str = "", school_type: str = "", total_teachers: int = 0
    ) -> None: ...

class TokenPair:
    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str: ...
    @property
    def expires_in(self) -> int:
        """seconds until the access token expires"""
    @property
    def user(self) -> User: ...

class Session:
    @property
    def user(self) -> User: ...
    @property
    def token_id(self) -> str: ...
    @property
    def expires_at(self) -> datetime.datetime: ...

class AuditEntry:
    @property
    def id(self) -> int: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def user_id(self) -> int | None: ...
    @property
    def action(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def detail(self) -> str:
        """JSON text"""
    @property
    def request_id(self) -> str: ...
    @property
    def client(self) -> str: ...

class AuthEngine:
    """Obtained from Platform.auth. Thread-safe; every method releases the GIL."""

    def create_user(
        self,
        username: str,
        password: str,
        role: Role | str,
        email: str = "",
        name: str = "",
        school_id: int | None = None,
    ) -> User: ...
    def get_user(self, id: int) -> User: ...
    def find_user(self, login: str) -> User:
        """By username or e-mail (case-insensitive)."""
    def list_users(self, skip: int = 0, limit: int = 100) -> list[User]: ...
    def set_password(self, user_id: int, password: str) -> None: ...
    def set_active(self, user_id: int, active: bool) -> None: ...
    def check_password(self, login: str, password: str) -> bool: ...
    def create_school(self, school: School) -> School: ...
    def find_school(self, name: str) -> School | None: ...
    def login(self, login: str, password: str) -> TokenPair:
        """Wrong login or password: UnauthenticatedError; inactive: PermissionDeniedError."""
    def refresh(self, refresh_token: str) -> TokenPair:
        """Rotates: the presented token is spent; presenting it again revokes its family."""
    def authenticate(self, access_token: str) -> Session: ...
    def logout(self, session: Session, refresh_token: str = "") -> None: ...
    def audit_log(self, skip: int = 0, limit: int = 100) -> list[AuditEntry]: ...

# --- clusters ---------------------------------------------------------------------------

class ClusterRemoval:
    """What remove_as() did."""

    deleted: ClassVar[ClusterRemoval]
    hidden: ClassVar[ClusterRemoval]
    __members__: ClassVar[dict[str, ClusterRemoval]]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...
    def __int__(self) -> int: ...
    def __index__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Cluster:
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def region_type(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def infrastructure_constraints(self) -> str: ...
    @property
    def key_issues(self) -> str | None: ...
    @property
    def total_teachers(self) -> int: ...
    @property
    def additional_notes(self) -> str | None: ...
    @property
    def pinned(self) -> bool: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    def to_dict(self) -> dict[str, Any]:
        """The wire form (timestamps as ISO strings), DB-name duplicates included."""

class ClusterEngine:
    """Obtained from Platform.clusters. Thread-safe; every method releases the GIL."""

    def create(
        self,
        name: str,
        region_type: str,
        language: str,
        infrastructure_constraints: str,
        key_issues: str | None = None,
        total_teachers: int = 1,
        additional_notes: str | None = None,
    ) -> Cluster: ...
    def create_from_dict(self, body: dict[str, _JsonValue]) -> Cluster:
        """Accepts exactly what POST /api/clusters/ accepts, DB-name aliases included."""
    def get(self, id: int) -> Cluster: ...
    def list(self, skip: int = 0, limit: int = 100, hidden_for_user: int | None = None) -> list[Cluster]:
        """Pinned first, then newest first."""
    def count(self) -> int: ...
    def update(self, id: int, **fields: _JsonValue) -> Cluster:
        """Only the given keys change; None clears key_issues/additional_notes. Unknown keys are ignored."""
    def delete(self, id: int) -> None: ...
    def remove_as(self, id: int, user: User) -> ClusterRemoval: ...
    def toggle_pin(self, id: int) -> Cluster: ...

# --- jobs -------------------------------------------------------------------------------

class JobState:
    """Where a job is; succeeded, failed and cancelled are final."""

    queued: ClassVar[JobState]
    running: ClassVar[JobState]
    succeeded: ClassVar[JobState]
    failed: ClassVar[JobState]
    cancelled: ClassVar[JobState]
    __members__: ClassVar[dict[str, JobState]]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...
    def __int__(self) -> int: ...
    def __index__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Job:
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str:
        """"manual.index", "retrieval.reembed"..."""
    @property
    def state(self) -> JobState: ...
    @property
    def done(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def percent(self) -> float:
        """0-100; 100 once succeeded."""
    @property
    def message(self) -> str: ...
    @property
    def result(self) -> _JsonValue:
        """Set when succeeded."""
    @property
    def error(self) -> Error | None:
        """The error (an instance, not raised) when failed or cancelled."""
    @property
    def created_by(self) -> int | None: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    def to_dict(self) -> dict[str, Any]:
        """The wire form (what GET /api/jobs/{id} returns)."""

class JobEngine:
    """Obtained from Platform.jobs. Thread-safe; every method releases the GIL."""

    def get(self, id: str) -> Job: ...
    def list(self, skip: int = 0, limit: int = 100, kind: str = "") -> list[Job]:
        """Newest first; `kind` filters when not empty."""
    def cancel(self, id: str) -> Job:
        """Asks the job to stop at its next check. ConflictError when it already finished."""
    def wait(self, id: str, timeout: float | None = None) -> Job:
        """Blocks until the job has finished or `timeout` seconds passed; a failed job is returned, not raised."""

# --- retrieval --------------------------------------------------------------------------

class SearchMode:
    """hybrid fuses BM25 and vector ranks; the others use one of them."""

    hybrid: ClassVar[SearchMode]
    lexical: ClassVar[SearchMode]
    vector: ClassVar[SearchMode]
    __members__: ClassVar[dict[str, SearchMode]]
    def __init__(self, value: int) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...
    def __int__(self) -> int: ...
    def __index__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class SearchHit:
    @property
    def chunk_id(self) -> int: ...
    @property
    def manual_id(self) -> int: ...
    @property
    def manual_title(self) -> str: ...
    @property
    def page_start(self) -> int: ...
    @property
    def page_end(self) -> int: ...
    @property
    def section(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def bm25(self) -> float | None:
        """Higher is better; None when not a lexical hit."""
    @property
    def vector(self) -> float | None:
        """Cosine similarity; None when not a vector hit."""
    @property
    def fused(self) -> float:
        """Reciprocal-rank-fusion score the order uses."""
    def to_dict(self) -> dict[str, Any]:
        """The wire form; the scores are under "scores"."""

class SearchResult:
    @property
    def hits(self) -> list[SearchHit]:
        """Best first."""
    @property
    def vector_used(self) -> bool:
        """False while the vector index is rebuilding."""
    @property
    def took_ms(self) -> float: ...
    def to_dict(self) -> dict[str, Any]: ...

class RetrievalStats:
    @property
    def chunks(self) -> int: ...
    @property
    def vectors(self) -> int: ...
    @property
    def embedder(self) -> str:
        """Model id of the vectors, e.g. "hash-ngram-v1/384"."""
    @property
    def dimension(self) -> int: ...
    @property
    def rebuilding(self) -> bool: ...

class RetrievalEngine:
    """Obtained from Platform.retrieval. Thread-safe; every method releases the GIL."""

    def search(
        self,
        query: str,
        manual_ids: list[int] | None = None,
        k: int = 5,
        section: str | None = None,
        mode: SearchMode | str = "hybrid",
    ) -> SearchResult:
        """k is 1-50 (else InvalidArgumentError); manual_ids None searches every indexed manual."""
    def stats(self) -> RetrievalStats: ...
    def embed(self, texts: list[str]) -> numpy.typing.NDArray[numpy.float32]:
        """The configured embedder's vectors: shape (len(texts), dimension), rows L2-normalised."""

def hash_embed(texts: list[str], dimension: int = 384) -> numpy.typing.NDArray[numpy.float32]:
    """The built-in offline embedder; the library clamps dimension to 64..4096."""

# --- manuals ----------------------------------------------------------------------------

class Manual:
    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def filename(self) -> str:
        """The upload's name (display only)."""
    @property
    def file_path(self) -> str:
        """Relative to the data dir: manuals/<sha256>.pdf."""
    @property
    def sha256(self) -> str: ...
    @property
    def size_bytes(self) -> int: ...
    @property
    def total_pages(self) -> int: ...
    @property
    def upload_date(self) -> datetime.datetime: ...
    @property
    def indexed(self) -> bool: ...
    @property
    def indexed_at(self) -> datetime.datetime | None: ...
    @property
    def pinned(self) -> bool: ...
    @property
    def detected_language(self) -> str | None:
        """"english", "hindi"... or None."""
    @property
    def ocr_pages(self) -> int: ...
    @property
    def chunk_count(self) -> int: ...
    @property
    def adapted_summary(self) -> str | None: ...
    @property
    def key_points(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]:
        """The wire form (what GET /api/manuals/{id} returns)."""

class UploadResult:
    @property
    def manual(self) -> Manual: ...
    @property
    def duplicate(self) -> bool:
        """The same bytes were uploaded before; `manual` is that upload."""

class PageReport:
    @property
    def page(self) -> int: ...
    @property
    def method(self) -> str:
        """"text" (text layer), "ocr" or "none"."""
    @property
    def verdict(self) -> str:
        """Text-layer verdict: readable, empty, legacy_font, broken_unicode, garbage."""
    @property
    def reason(self) -> str: ...
    @property
    def chars(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...

class IndexReport:
    @property
    def manual(self) -> Manual:
        """The manual as stored after indexing."""
    @property
    def pages(self) -> list[PageReport]: ...
    @property
    def chunks(self) -> int: ...
    @property
    def ocr_pages(self) -> int: ...
    @property
    def headers_removed(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    def to_dict(self) -> dict[str, Any]: ...

class Chunk:
    @property
    def id(self) -> int: ...
    @property
    def manual_id(self) -> int: ...
    @property
    def ordinal(self) -> int: ...
    @property
    def page_start(self) -> int: ...
    @property
    def page_end(self) -> int: ...
    @property
    def section(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def tokens(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...

class ManualEngine:
    """Obtained from Platform.manuals. Thread-safe; every method releases the GIL."""

    def upload(self, bytes: bytes, title: str, filename: str = "") -> UploadResult:
        """Not a PDF, truncated, encrypted or too large: InvalidArgumentError with field "file"."""
    def upload_file(
        self, path: str | os.PathLike[str], title: str, filename: str | None = None
    ) -> UploadResult:
        """filename defaults to the path's name."""
    def ingest(
        self,
        path_or_bytes: bytes | str | os.PathLike[str],
        title: str,
        filename: str | None = None,
        progress: _Progress | None = None,
        index: bool = True,
    ) -> IndexReport | UploadResult:
        """upload() or upload_file(), then index() (the IndexReport) unless index=False (the UploadResult)."""
    def get(self, id: int) -> Manual: ...
    def list(self, skip: int = 0, limit: int = 100) -> list[Manual]:
        """Pinned first, then newest upload first."""
    def count(self) -> int: ...
    def delete(self, id: int) -> None:
        """Removes the file, its pages, chunks and vectors."""
    def toggle_pin(self, id: int) -> Manual: ...
    def index(self, id: int, progress: _Progress | None = None) -> IndexReport:
        """progress runs on this thread; False cancels (DeadlineExceededError); an exception it raises
        (Ctrl-C included) cancels and is re-raised. A cancelled or failed index leaves the previous
        state. The last call (done == total) comes after the commit: what it raises is raised, but
        the index stays."""
    def index_async(self, id: int) -> Job:
        """index() as a job on the worker pool; returns the queued Job at once."""
    def chunks(self, id: int, offset: int = 0, limit: int = 50) -> list[Chunk]: ...
    def pages(self, id: int) -> list[PageReport]:
        """What the last index did with each page; empty before indexing."""
    def file_path(self, id: int) -> pathlib.Path:
        """The stored PDF's absolute path."""

# --- platform and demo data -------------------------------------------------------------

class Platform:
    """Opens (creating and migrating) a data directory and owns every engine. Thread-safe."""

    def __init__(self, config: Config) -> None: ...
    @staticmethod
    def open(config: Config) -> Platform: ...
    @property
    def clusters(self) -> ClusterEngine: ...
    @property
    def auth(self) -> AuthEngine: ...
    @property
    def jobs(self) -> JobEngine: ...
    @property
    def manuals(self) -> ManualEngine: ...
    @property
    def retrieval(self) -> RetrievalEngine: ...
    @property
    def modules(self) -> ModuleEngine: ...
    @property
    def translation(self) -> TranslationEngine: ...
    @property
    def exports(self) -> ExportEngine: ...
    @property
    def delivery(self) -> DeliveryEngine: ...
    @property
    def videos(self) -> VideoEngine: ...
    @property
    def analytics(self) -> AnalyticsEngine: ...
    def ask(self, question: str, manual_ids: list[int] | None = None, k: int = 5) -> Answer:
        """Same as Platform.modules.ask: a grounded answer with sources and pages."""
    @property
    def config(self) -> Config:
        """A copy: changing it does not change the open Platform."""
    @property
    def schema_version(self) -> int: ...
    def metrics_text(self) -> str:
        """Metrics in the Prometheus text format."""

class DemoAccount:
    @property
    def username(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def school(self) -> str: ...

class DemoReport:
    @property
    def actions(self) -> list[str]: ...
    @property
    def users_created(self) -> int: ...
    @property
    def clusters_created(self) -> int: ...

def demo_accounts() -> list[DemoAccount]: ...
def seed_demo(platform: Platform) -> DemoReport: ...
def demo_accounts_with_default_password(platform: Platform) -> list[str]: ...

# --- modules --------------------------------------------------------------------------------

class ModuleSection:
    @property
    def heading(self) -> str: ...
    @property
    def text(self) -> str: ...

class Activity:
    @property
    def title(self) -> str: ...
    @property
    def materials(self) -> list[str]: ...
    @property
    def steps(self) -> list[str]: ...
    @property
    def duration(self) -> str: ...

class AssessmentQuestion:
    @property
    def question(self) -> str: ...
    @property
    def answer(self) -> str: ...

class Citation:
    """A page reference to a chunk that retrieval returned."""
    @property
    def chunk_id(self) -> int: ...
    @property
    def manual_id(self) -> int: ...
    @property
    def page_start(self) -> int: ...
    @property
    def page_end(self) -> int: ...
    @property
    def excerpt(self) -> str: ...

class ModuleContent:
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def sections(self) -> list[ModuleSection]: ...
    @property
    def teaching_tips(self) -> list[str]: ...
    @property
    def activities(self) -> list[Activity]: ...
    @property
    def assessment(self) -> list[AssessmentQuestion]: ...
    @property
    def citations(self) -> list[Citation]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def markdown(self) -> str:
        """The module as Markdown under numbered headings."""

class GenerationInfo:
    """How a module or answer was produced."""
    @property
    def adapter(self) -> str: ...
    @property
    def offline(self) -> bool: ...
    @property
    def provider(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def prompt_version(self) -> str: ...
    @property
    def retrieval_ms(self) -> float: ...
    @property
    def generation_ms(self) -> float: ...
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def total_tokens(self) -> int: ...
    @property
    def llm_calls(self) -> int: ...
    @property
    def repairs(self) -> int: ...
    @property
    def dropped_citations(self) -> list[int]: ...
    def to_dict(self) -> dict[str, Any]: ...

class Module:
    """A manual's content adapted for one cluster, with page citations."""
    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def manual_id(self) -> int: ...
    @property
    def cluster_id(self) -> int: ...
    @property
    def grade(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def learning_objective(self) -> str | None: ...
    @property
    def approved(self) -> bool: ...
    @property
    def original_content(self) -> str: ...
    @property
    def adapted_content(self) -> str: ...
    @property
    def content(self) -> ModuleContent: ...
    @property
    def generation(self) -> GenerationInfo: ...
    @property
    def translations(self) -> list[ModuleTranslation]: ...
    @property
    def translation_status(self) -> str: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...
    def to_dict(self) -> dict[str, Any]: ...

class ModuleTranslation:
    """The module in another language, beside the English."""
    @property
    def language(self) -> str: ...
    @property
    def content(self) -> ModuleContent: ...
    @property
    def adapted_content(self) -> str: ...
    @property
    def providers(self) -> list[str]: ...
    @property
    def memory_hits(self) -> int: ...
    @property
    def segments(self) -> int: ...
    @property
    def created_at(self) -> datetime.datetime: ...

class AnswerSource:
    @property
    def chunk_id(self) -> int: ...
    @property
    def manual_id(self) -> int: ...
    @property
    def manual_title(self) -> str: ...
    @property
    def page_start(self) -> int: ...
    @property
    def page_end(self) -> int: ...
    @property
    def excerpt(self) -> str: ...
    @property
    def relevance(self) -> float: ...

class Answer:
    @property
    def answer(self) -> str: ...
    @property
    def grounded(self) -> bool: ...
    @property
    def sources(self) -> list[AnswerSource]: ...
    @property
    def generation(self) -> GenerationInfo: ...
    def to_dict(self) -> dict[str, Any]: ...

class ModuleEngine:
    """Modules adapted for clusters; obtained as Platform.modules."""
    def generate(self, manual_id: int, cluster_id: int, topic: str, target_language: str | None = None,
                 grade: str | None = None) -> Module:
        """Adapts the manual's content on `topic` for the cluster (LLM when configured, else offline rules)."""
    def generate_async(self, manual_id: int, cluster_id: int, topic: str, target_language: str | None = None,
                       grade: str | None = None) -> Job:
        """generate() as a job; its result is the module's dict."""
    def get(self, id: int) -> Module: ...
    def list(self, skip: int = 0, limit: int = 100, cluster_id: int | None = None,
             manual_id: int | None = None) -> list[Module]:
        """In creation order."""
    def count(self) -> int: ...
    def delete(self, id: int) -> None: ...
    def approve(self, id: int) -> Module: ...
    def translate(self, id: int, target_language: str) -> Module:
        """Adds a translation of the module (kept beside the English)."""
    def ask(self, question: str, manual_ids: list[int] | None = None, k: int = 5) -> Answer:
        """Answers from the manuals with sources and pages; grounded is False when they do not cover it."""
    @property
    def adapter(self) -> str:
        """'llm' or 'offline-rules'"""

def languages() -> dict[str, str]:
    """Output languages: key → label (as GET /api/modules/languages)."""

# --- translation ----------------------------------------------------------------------------

class Language:
    """A language Shiksha-Setu works in."""
    @property
    def key(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def english_name(self) -> str: ...
    @property
    def native_name(self) -> str: ...
    @property
    def script(self) -> str: ...
    @property
    def right_to_left(self) -> bool: ...
    @property
    def label(self) -> str: ...
    @property
    def font_family(self) -> str: ...
    @property
    def in_contract(self) -> bool: ...

def supported_languages() -> list[Language]:
    """English and the Indian languages, in the contract's order (Assamese last)."""

def find_language(name_or_code: str) -> Language | None:
    """By key, code or English name (case-insensitive); None when unknown."""

class GlossaryEntry:
    @property
    def id(self) -> int: ...
    @property
    def language(self) -> str: ...
    @property
    def term(self) -> str: ...
    @property
    def translation(self) -> str | None: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def updated_at(self) -> datetime.datetime: ...

class TranslationResult:
    @property
    def text(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def stats(self) -> dict[str, Any]: ...

class TranslationEngine:
    """Obtained as Platform.translation."""
    def translate(self, text: str, target: str, source: str = "english") -> TranslationResult:
        """Translates keeping newlines, list markers and Markdown."""
    def translate_batch(self, texts: list[str], target: str, source: str = "english") -> tuple[list[str], dict[str, Any]]:
        """(translations, stats) for many texts at once."""
    def remember(self, source_text: str, translation: str, target: str, source: str = "english") -> None:
        """Stores a human translation in the memory."""
    def add_term(self, language: str, term: str, translation: str | None = None) -> GlossaryEntry:
        """Adds a glossary term; without a translation it is never translated."""
    def terms(self, language: str = "") -> list[GlossaryEntry]: ...
    def update_term(self, id: int, language: str, term: str, translation: str | None = None) -> GlossaryEntry: ...
    def remove_term(self, id: int) -> None: ...
    @property
    def providers(self) -> list[str]:
        """The provider chain; empty = memory only."""

# --- exports --------------------------------------------------------------------------------

class ExportedFile:
    """A recorded PDF export."""
    @property
    def id(self) -> int: ...
    @property
    def module_id(self) -> int: ...
    @property
    def filename(self) -> str: ...
    @property
    def path(self) -> pathlib.Path: ...
    @property
    def size_bytes(self) -> int: ...
    @property
    def sha256(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def pages(self) -> int: ...
    @property
    def created_at(self) -> datetime.datetime: ...
    @property
    def downloaded_at(self) -> datetime.datetime | None: ...
    @property
    def expires_at(self) -> datetime.datetime: ...
    def to_dict(self) -> dict[str, Any]: ...

class ExportEngine:
    """Printable PDFs of modules; obtained as Platform.exports."""
    @overload
    def pdf(self, module_id: int, *, language: str | None = None, bilingual: bool = False,
            side_by_side: bool = False, include_original: bool = False, page_size: str = "A4",
            as_bytes: Literal[False] = False) -> ExportedFile:
        """Renders and records a PDF of the module; the ExportedFile (path and metadata)."""
    @overload
    def pdf(self, module_id: int, *, language: str | None = None, bilingual: bool = False,
            side_by_side: bool = False, include_original: bool = False, page_size: str = "A4",
            as_bytes: Literal[True]) -> bytes:
        """The same, returning the PDF's bytes."""
    def get(self, id: int) -> ExportedFile: ...
    def list(self, module_id: int | None = None) -> list[ExportedFile]:
        """Unexpired exports, newest first."""
    def download(self, id: int) -> bytes:
        """The PDF's bytes (marks the export downloaded)."""
    def delete(self, id: int) -> None: ...
    def sweep_expired(self) -> int:
        """Deletes expired exports (files and records); returns how many."""

# --- delivery -------------------------------------------------------------------------------

def normalize_phone(text: str, extra_country_codes: str = "") -> str:
    """'+919876543210' from the usual written forms of an Indian mobile; InvalidArgumentError otherwise."""

class Contact:
    """A teacher of a cluster, reachable on WhatsApp."""
    @property
    def id(self) -> int: ...
    @property
    def cluster_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def phone(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def opted_in(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...

class Delivery:
    """One message to one recipient."""
    @property
    def id(self) -> int: ...
    @property
    def module_id(self) -> int: ...
    @property
    def phone(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def gateway(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def message_ids(self) -> list[str]: ...
    @property
    def attempts(self) -> int: ...
    @property
    def last_error(self) -> str: ...
    @property
    def link(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class ShareResult:
    @property
    def deliveries(self) -> list[Delivery]: ...
    @property
    def rejected(self) -> list[tuple[str, str]]: ...
    @property
    def queued(self) -> int: ...
    @property
    def reused(self) -> int: ...
    @property
    def export_id(self) -> int | None: ...
    @property
    def pdf_url(self) -> str: ...

class DeliveryReport:
    @property
    def module_id(self) -> int: ...
    @property
    def counts(self) -> dict[str, int]: ...
    @property
    def deliveries(self) -> list[Delivery]: ...
    def to_dict(self) -> dict[str, Any]: ...

class DeliveryEngine:
    """WhatsApp sharing; obtained as Platform.delivery."""
    def share_whatsapp(self, module_id: int, *, cluster_id: int | None = None,
                       recipient_numbers: list[str] = ..., include_pdf: bool = True,
                       custom_message: str | None = None, language: str | None = None,
                       resend: bool = False) -> ShareResult:
        """Queues the module for the numbers and/or the cluster's opted-in contacts (deep links at once with the deeplink gateway)."""
    def report(self, module_id: int) -> DeliveryReport: ...
    def get(self, id: int) -> Delivery: ...
    def wait_idle(self, module_id: int = 0, timeout: float = 60.0) -> None:
        """Blocks until nothing of the module (all when 0) is pending or in flight."""
    def contacts(self, cluster_id: int) -> list[Contact]: ...
    def add_contact(self, cluster_id: int, name: str, phone: str, language: str = "",
                    opted_in: bool = True) -> Contact: ...
    def update_contact(self, id: int, *, name: str | None = None, phone: str | None = None,
                       language: str | None = None, opted_in: bool | None = None) -> Contact: ...
    def delete_contact(self, id: int) -> None: ...
    def import_contacts_csv(self, cluster_id: int, csv: str) -> dict[str, Any]:
        """CSV text with a header (name, phone[, language, opted_in]) → {added, updated, problems}."""

# --- analytics ------------------------------------------------------------------------------

def wilson_lower_bound(positive: int, total: int, z: float = 1.96) -> float:
    """Lower bound of the Wilson score interval of positive/total (z = 1.96: 95 %); 0 when total is 0."""

class Feedback:
    """A teacher's feedback on a module."""
    @property
    def id(self) -> int: ...
    @property
    def module_id(self) -> int: ...
    @property
    def cluster_id(self) -> int | None: ...
    @property
    def manual_id(self) -> int | None: ...
    @property
    def rating(self) -> int: ...
    @property
    def comment(self) -> str | None: ...
    @property
    def tags(self) -> list[str] | None: ...
    @property
    def helpful(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...

class AnalyticsEngine:
    """Feedback and its analytics; obtained as Platform.analytics."""
    def submit_feedback(self, module_id: int, rating: int, *, comment: str | None = None,
                        tags: list[str] | None = None, helpful: bool | None = None,
                        submitted_at: str | None = None) -> Feedback:
        """Records feedback (rating 1-5); helpful defaults to rating >= 4. submitted_at (ISO) for imports."""
    def list_feedback(self, module_id: int, skip: int = 0, limit: int = 100) -> list[Feedback]: ...
    def summary(self, *, cluster_id: int | None = None, manual_id: int | None = None,
                date_from: str | None = None, date_to: str | None = None,
                top_issues: int = 10) -> dict[str, Any]:
        """Feedback summary as the HTTP API returns it: total_feedback, helpful_count, not_helpful_count,
        helpfulness_rate, average_rating, rating_distribution, by_cluster, by_day, tags, common_issues,
        comments_analyzed. Dates YYYY-MM-DD (whole day, inclusive) or ISO."""
    def module_performance(self, *, min_ratings: int = 5, limit: int = 10) -> dict[str, Any]:
        """{min_ratings, modules_ranked, modules_excluded, top_modules, underperforming_modules}, ranked by
        the Wilson lower bound of the helpfulness rate."""

# --- videos ---------------------------------------------------------------------------------

def parse_iso8601_duration(text: str) -> int | None:
    """'PT1H2M3S' → 3723 seconds; None when malformed."""

def format_video_duration(seconds: int) -> str:
    """75 → '1:15', 3723 → '1:02:03'."""

class VideoEngine:
    """Obtained as Platform.videos."""
    def suggest(self, module_id: int, limit: int = 3, refresh: bool = False) -> dict[str, Any]:
        """Videos for a module: {module_id, query, source, cached, reason, fetched_at, videos}."""
    def search(self, query: str, language: str | None = None, max_results: int = 10,
               duration: str = "any") -> dict[str, Any]:
        """Search videos: {query, source, reason, videos}."""
    def languages(self) -> list[dict[str, Any]]:
        """Languages videos can be searched in."""
    def import_catalogue(self, path: str) -> dict[str, Any]:
        """Fill the local catalogue from a .csv or .json file → {added, updated, problems}."""
    def import_catalogue_text(self, text: str, format: str = "") -> dict[str, Any]:
        """Same from text; format 'csv', 'json' or '' (guess)."""
    def catalogue_size(self) -> int: ...
    def quota_usage(self) -> dict[str, Any]:
        """Today's YouTube quota spending: {api, day (Pacific), units, calls, limit}."""
