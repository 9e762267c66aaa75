"""The Dockerfile as `docker build` reads it (the `dockerfile` package wraps BuildKit's own parser), and what
its runtime stage declares, for the tests of the Dockerfile and of the manifests that run its image."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath
from urllib.parse import SplitResult, urlsplit

import dockerfile

from tests.deploy.project import REPO, parse_cli

_URL = r"https?://[^\s'\"]+"


@dataclass(frozen=True)
class Instruction:
    cmd: str  # upper case: FROM, COPY, ...
    flags: tuple[str, ...]  # --from=build, ...
    value: tuple[str, ...]  # the arguments; exec (JSON) form: one per element
    exec_form: bool
    line: int

    def flag(self, name: str) -> str | None:
        prefix = f"--{name}="
        return next((flag.removeprefix(prefix) for flag in self.flags if flag.startswith(prefix)), None)


@dataclass(frozen=True)
class Image:
    stages: tuple[tuple[Instruction, ...], ...]  # each starts with its FROM

    @property
    def build(self) -> tuple[Instruction, ...]:
        return self.stages[0]

    @property
    def runtime(self) -> tuple[Instruction, ...]:
        return self.stages[-1]

    def last(self, cmd: str) -> Instruction:
        """The runtime stage's last `cmd`: the one that takes effect."""
        found = [i for i in self.runtime if i.cmd == cmd]
        assert found, f"the runtime stage has no {cmd}"
        return found[-1]

    def context_copies(self, stage: tuple[Instruction, ...] | None = None) -> list[Instruction]:
        """COPY and ADD from the build context (not --from another stage), in `stage` or in all stages."""
        stages = self.stages if stage is None else (stage,)
        return [i for s in stages for i in s if i.cmd in ("COPY", "ADD") and i.flag("from") is None]

    @property
    def env(self) -> dict[str, str]:
        pairs = [i.value for i in self.runtime if i.cmd == "ENV"]
        return {key: value for v in pairs for key, value in zip(v[::2], v[1::2], strict=True)}

    @property
    def user(self) -> tuple[int, int]:
        """USER as numbers: Kubernetes' runAsNonRoot can only verify a numeric user."""
        uid, _, gid = self.last("USER").value[0].partition(":")
        assert uid.isdigit() and gid.isdigit(), f"USER {uid}:{gid} is not numeric uid:gid"
        return int(uid), int(gid)

    @property
    def volume(self) -> PurePosixPath:
        (volume,) = self.last("VOLUME").value
        return PurePosixPath(volume)

    @property
    def workdir(self) -> PurePosixPath:
        return PurePosixPath(self.last("WORKDIR").value[0])

    @property
    def config_path(self) -> PurePosixPath:
        """The config file CMD runs the daemon on."""
        return PurePosixPath(parse_cli(list(self.last("CMD").value)).config)

    @property
    def healthcheck_url(self) -> SplitResult:
        """The one URL in the HEALTHCHECK command."""
        urls: list[str] = [u for arg in self.last("HEALTHCHECK").value for u in re.findall(_URL, arg)]
        (url,) = urls
        return urlsplit(url)


@cache
def read_image() -> Image:
    stages: list[list[Instruction]] = []
    for command in dockerfile.parse_file(str(REPO / "Dockerfile")):
        instruction = Instruction(
            command.cmd.upper(), tuple(command.flags), tuple(command.value), command.json, command.start_line
        )
        if instruction.cmd == "FROM":
            stages.append([])
        assert stages, f"line {instruction.line}: {instruction.cmd} before the first FROM"
        stages[-1].append(instruction)
    return Image(tuple(tuple(stage) for stage in stages))
