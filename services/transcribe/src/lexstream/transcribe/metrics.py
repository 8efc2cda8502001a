"""Transcribe's operator gauges: the loaded model and the GPU it runs on.

- ``lexstream.transcribe.model.loaded`` (1, attributes ``model``, ``device``, ``compute_type``)
  and ``lexstream.transcribe.model.load.duration`` (s): which model this process serves and
  what loading it cost (a restart loop shows as many short-lived instances).
- ``hw.gpu.utilization`` (ratio), ``hw.gpu.memory.usage`` and ``hw.gpu.memory.limit``
  (bytes), ``hw.temperature`` (Cel) and ``hw.power`` (W), attributes ``hw.type=gpu`` and
  ``hw.id`` (``gpu0``...): OpenTelemetry's hardware names, read from NVIDIA's NVML
  (``libnvidia-ml.so.1``, which the driver installs) through ctypes, so no Python package is
  added. Only while the model runs on CUDA and NVML loads; elsewhere no GPU series exists
  (in deployments dcgm-exporter gives the node-level view too).
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

log = logging.getLogger(__name__)


class _Utilization(ctypes.Structure):
    _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]


class _Memory(ctypes.Structure):
    _fields_ = [
        ("total", ctypes.c_ulonglong),
        ("free", ctypes.c_ulonglong),
        ("used", ctypes.c_ulonglong),
    ]


@dataclass(frozen=True)
class GpuReading:
    index: int
    utilization: float  # 0..1 over NVML's last sample period
    memory_used: int
    memory_total: int
    temperature_c: float | None
    power_w: float | None


class Nvml:
    """The few NVML calls the gauges need; :meth:`open` is None where there is no driver."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self._lib = library

    @classmethod
    def open(cls) -> Nvml | None:
        try:
            library = ctypes.CDLL("libnvidia-ml.so.1")
            if library.nvmlInit_v2() != 0:
                return None
        except (OSError, AttributeError):
            return None
        return cls(library)

    def readings(self) -> list[GpuReading]:
        count = ctypes.c_uint(0)
        if self._lib.nvmlDeviceGetCount_v2(ctypes.byref(count)) != 0:
            return []
        found = []
        for index in range(count.value):
            handle = ctypes.c_void_p()
            if self._lib.nvmlDeviceGetHandleByIndex_v2(index, ctypes.byref(handle)) != 0:
                continue
            rates, memory = _Utilization(), _Memory()
            if self._lib.nvmlDeviceGetUtilizationRates(handle, ctypes.byref(rates)) != 0:
                continue
            if self._lib.nvmlDeviceGetMemoryInfo(handle, ctypes.byref(memory)) != 0:
                continue
            temperature, milliwatts = ctypes.c_uint(0), ctypes.c_uint(0)
            # NVML_TEMPERATURE_GPU = 0; either may be unsupported on a board (no point then)
            has_temperature = (
                self._lib.nvmlDeviceGetTemperature(handle, 0, ctypes.byref(temperature)) == 0
            )
            has_power = self._lib.nvmlDeviceGetPowerUsage(handle, ctypes.byref(milliwatts)) == 0
            found.append(
                GpuReading(
                    index,
                    rates.gpu / 100.0,
                    memory.used,
                    memory.total,
                    float(temperature.value) if has_temperature else None,
                    milliwatts.value / 1000.0 if has_power else None,
                )
            )
        return found


class TranscribeGauges:
    """Registers the gauges; GPU ones only for a model on CUDA with NVML present."""

    def __init__(
        self, *, model: str, device: str, compute_type: str, load_s: float, nvml: Nvml | None
    ) -> None:
        self.attributes = {"model": model, "device": device, "compute_type": compute_type}
        self.load_s = load_s
        self.nvml = nvml if device == "cuda" else None
        meter = metrics.get_meter("lexstream.transcribe")
        meter.create_observable_gauge(
            "lexstream.transcribe.model.loaded",
            callbacks=[self._loaded],
            description="1 for the model this process has loaded, with its device",
        )
        meter.create_observable_gauge(
            "lexstream.transcribe.model.load.duration",
            callbacks=[self._load_duration],
            unit="s",
            description="how long loading the model took at start",
        )
        if self.nvml is not None:
            for name, unit, description in (
                ("hw.gpu.utilization", "1", "fraction of time the GPU was busy"),
                ("hw.gpu.memory.usage", "By", "GPU memory in use"),
                ("hw.gpu.memory.limit", "By", "GPU memory in all"),
                ("hw.temperature", "Cel", "GPU temperature"),
                ("hw.power", "W", "GPU power draw"),
            ):
                meter.create_observable_gauge(
                    name, callbacks=[self._gpu(name)], unit=unit, description=description
                )

    def _loaded(self, _options: CallbackOptions) -> Iterable[Observation]:
        yield Observation(1, self.attributes)

    def _load_duration(self, _options: CallbackOptions) -> Iterable[Observation]:
        yield Observation(self.load_s, self.attributes)

    def _gpu(self, name: str) -> Callable[[CallbackOptions], Iterable[Observation]]:
        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            assert self.nvml is not None
            for reading in self.nvml.readings():
                value = {
                    "hw.gpu.utilization": reading.utilization,
                    "hw.gpu.memory.usage": reading.memory_used,
                    "hw.gpu.memory.limit": reading.memory_total,
                    "hw.temperature": reading.temperature_c,
                    "hw.power": reading.power_w,
                }[name]
                if value is not None:
                    yield Observation(value, {"hw.id": f"gpu{reading.index}", "hw.type": "gpu"})

        return observe
