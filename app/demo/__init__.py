"""Demo data, a tool (`postventa demo`, the screenshots, the benchmarks): not domain logic.

- `generate`: `generate_demo`, the fictitious company's data and the bulk writer.
- `histories`: the routes its returns and cases take, derived from the services' own transition
  tables.
"""

from app.demo.generate import DemoSummary, generate_demo

__all__ = ["DemoSummary", "generate_demo"]
