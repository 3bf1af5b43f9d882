"""Input shapes every module's schemas share: strict models and the common code formats."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints


class Strict(BaseModel):
    """An input shape: an unknown field is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


# A lower-case slug naming a channel, location, price book…: what staff type and feeds carry.
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
