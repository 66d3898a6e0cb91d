"""The peer for benchmarks/http_clusters.sh: the requirements' stack (FastAPI + uvicorn +
SQLAlchemy ORM + a PyJWT bearer check) serving the same cluster list from the same SQLite
file that `shiksha serve` uses. Debian packages only (python3-fastapi, python3-uvicorn,
python3-sqlalchemy, python3-jwt)."""
import os
import sys

import jwt
import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException
from sqlalchemy import Boolean, Column, Integer, String, Text, create_engine
from sqlalchemy.orm import declarative_base, sessionmaker

DB = sys.argv[1]
PORT = int(sys.argv[2])
SECRET = os.environ["SHIKSHA_JWT_SECRET"]

engine = create_engine(f"sqlite:///{DB}", connect_args={"check_same_thread": False})
Session = sessionmaker(bind=engine)
Base = declarative_base()


class Cluster(Base):
    __tablename__ = "clusters"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    region_type = Column(String)
    language = Column(String)
    infrastructure_constraints = Column(String)
    key_issues = Column(Text)
    total_teachers = Column(Integer)
    additional_notes = Column(Text)
    pinned = Column(Boolean)
    created_at = Column(Integer)
    updated_at = Column(Integer)


app = FastAPI()


def db():
    s = Session()
    try:
        yield s
    finally:
        s.close()


def user(authorization: str = Header(None)):
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "Not authenticated")
    try:
        return jwt.decode(authorization[7:], SECRET, algorithms=["HS256"])
    except jwt.PyJWTError:
        raise HTTPException(401, "Could not validate credentials")


@app.get("/health")
def health():
    return {"status": "healthy"}


@app.get("/api/clusters/")
def clusters(skip: int = 0, limit: int = 100, s=Depends(db), u=Depends(user)):
    rows = (s.query(Cluster).order_by(Cluster.pinned.desc(), Cluster.created_at.desc(), Cluster.id.desc())
            .offset(skip).limit(limit).all())
    return [{"id": c.id, "name": c.name, "region_type": c.region_type, "language": c.language,
             "infrastructure_constraints": c.infrastructure_constraints, "key_issues": c.key_issues,
             "total_teachers": c.total_teachers, "additional_notes": c.additional_notes,
             "pinned": bool(c.pinned), "created_at": c.created_at, "updated_at": c.updated_at,
             "geographic_type": c.region_type, "primary_language": c.language,
             "infrastructure_level": c.infrastructure_constraints, "specific_challenges": c.key_issues}
            for c in rows]


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning")
