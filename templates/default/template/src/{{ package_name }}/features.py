"""Features: how raw columns become model inputs. Fitted inside the model pipeline, so
training and serving always transform data the same way."""

from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .data import CATEGORICAL_FEATURES, FEATURES, NUMERIC_FEATURES, TARGET


def build_preprocessor() -> ColumnTransformer:
    """Return the transformer that scales numeric columns and one-hot encodes categories."""
    return ColumnTransformer(
        [
            ("numeric", StandardScaler(), NUMERIC_FEATURES),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL_FEATURES),
        ]
    )


def split_features(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Return the model inputs and the target of a validated data set."""
    return frame[FEATURES], frame[TARGET]
