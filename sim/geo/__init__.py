"""Places: boundaries, township areas, per-township quantities, accessibility, maps and GIS outputs.

Modules (one job each):

- ``datum``       GCJ-02 (AMap) -> WGS84 conversion of coordinates and geometries (``prcoords``).
- ``geodata``     the committed layers in ``geodata/`` (county boundaries, township table with codes and
                  seats) and the township areas used by every output (user boundaries or approximate
                  Voronoi cells clipped to the real county boundary).
- ``townships``   per-township, per-year, per-replication service presence and supply against demand.
- ``access``      great-circle distances, detour factor, coverage within thresholds, 2SFCA / E2SFCA,
                  capacitated nearest-facility assignment.
- ``maps``        matplotlib maps (PNG and SVG).
- ``gis``         ``coverage.gpkg`` and the self-contained interactive HTML map.
- ``outputs``     writes all of the above into a results folder (``run`` and ``map`` commands).
"""
