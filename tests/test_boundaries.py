"""Reading boundary files: every format, the CRS, the fields, repairs and refusals.

The generated files hold two 1 km squares side by side in Brighton (British National Grid):
West is E 530,000-531,000 and East is E 531,000-532,000, both N 105,000-106,000, so each area
is 1,000,000 m2 and the answers can be checked by hand.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.errors import BoundaryError, InputFileError
from geo.io.boundaries import AreaLayer, list_layers, read_areas
from geo.schema import AREA_COLUMNS, DISPLAY_CRS, WORKING_CRS
from tests.shapes import EAST_WARD_BNG as EAST
from tests.shapes import WEST_WARD_BNG as WEST

#: A ring crossing itself at (532500, 105500): two triangles of 250,000 m2 each.
BOW_TIE = shapely.Polygon(
    [(532_000, 105_000), (533_000, 106_000), (533_000, 105_000), (532_000, 106_000)]
)


def bng_wards(**columns: list[object]) -> gpd.GeoDataFrame:
    """West and East as ONS-style wards of Brighton and Hove, in EPSG:27700."""
    data: dict[str, list[object]] = {
        "WD24CD": ["E05000001", "E05000002"],
        "WD24NM": ["West", "East"],
        "LAD24CD": ["E06000043", "E06000043"],
        "POPULATION": [1200, 3400],
    }
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=[WEST, EAST], crs=WORKING_CRS)


def square_metres(layer: AreaLayer) -> list[float]:
    return layer.areas.to_crs(WORKING_CRS).area.round().tolist()


def write_shapefile(frame: gpd.GeoDataFrame, folder: Path, stem: str = "wards") -> list[Path]:
    """Write a shapefile and return its files (.shp, .shx, .dbf, .prj, .cpg)."""
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_file(folder / f"{stem}.shp", engine="pyogrio")
    return sorted(folder.glob(f"{stem}.*"))


def zip_files(target: Path, files: list[Path], *, inside: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in files:
            archive.write(file, f"{inside}{file.name}")
    return target


def check_two_wards(layer: AreaLayer) -> None:
    """The contract and the hand-checked answers for West and East."""
    areas = layer.areas
    assert list(areas.columns) == list(AREA_COLUMNS)
    assert isinstance(areas.index, pd.RangeIndex) and areas.index.start == 0
    assert areas.crs == DISPLAY_CRS
    assert areas["area_code"].tolist() == ["E05000001", "E05000002"]
    assert areas["area_name"].tolist() == ["West", "East"]
    assert areas["area_type"].tolist() == ["ward", "ward"]
    assert square_metres(layer) == pytest.approx([1_000_000, 1_000_000], abs=1)
    # Brighton, not the Gulf of Guinea: the squares are placed by their CRS.
    minx, miny, maxx, maxy = areas.total_bounds
    assert -0.16 < minx < maxx < -0.12 and 50.82 < miny < maxy < 50.85


# --- formats ---------------------------------------------------------------------------------


def test_geojson_gives_codes_names_parent_and_population(tmp_path: Path) -> None:
    path = tmp_path / "wards.geojson"
    bng_wards().to_crs(DISPLAY_CRS).to_file(path, engine="pyogrio")

    layer = read_areas(path)

    check_two_wards(layer)
    assert (layer.source, layer.code_field, layer.name_field) == (
        "wards.geojson",
        "WD24CD",
        "WD24NM",
    )
    assert layer.areas["parent_code"].tolist() == ["E06000043", "E06000043"]
    assert layer.areas["population"].tolist() == [1200.0, 3400.0]
    assert layer.warnings == () and layer.repaired == ()
    assert list_layers(path) == ["wards"]


@pytest.mark.parametrize("inside", ["", "Wards_May_2024_Boundaries/"], ids=["flat", "subfolder"])
def test_zipped_shapefile(tmp_path: Path, inside: str) -> None:
    files = write_shapefile(bng_wards(), tmp_path / "shp")
    path = zip_files(tmp_path / "wards.zip", files, inside=inside)

    layer = read_areas(path)

    check_two_wards(layer)
    assert layer.source == "wards.zip"
    assert layer.warnings == ()
    assert list_layers(path) == ["wards"]


def test_zip_with_two_shapefiles_needs_a_layer(tmp_path: Path) -> None:
    files = write_shapefile(
        bng_wards(WD24NM=["Old West", "Old East"]), tmp_path / "a", "wards_2013"
    )
    files += write_shapefile(bng_wards(), tmp_path / "b", "wards_2024")
    path = zip_files(tmp_path / "both.zip", files)

    assert list_layers(path) == ["wards_2013", "wards_2024"]
    with pytest.raises(
        BoundaryError,
        match=r"both\.zip holds 2 boundary files \(wards_2013, wards_2024\): pass layer=",
    ):
        read_areas(path)
    layer = read_areas(path, layer="wards_2024")
    check_two_wards(layer)
    assert layer.source == "both.zip!wards_2024"


def test_zip_without_the_dbf_is_refused(tmp_path: Path) -> None:
    files = [f for f in write_shapefile(bng_wards(), tmp_path / "shp") if f.suffix != ".dbf"]
    path = zip_files(tmp_path / "wards.zip", files)
    with pytest.raises(
        BoundaryError, match=r"wards\.zip: wards\.shp comes without wards\.dbf: .*together"
    ):
        read_areas(path)


def test_zip_without_a_boundary_file_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "README.txt"
    notes.write_text("nothing here")
    with pytest.raises(
        BoundaryError, match=r"empty\.zip holds no boundary file \(it holds README\.txt\)"
    ):
        read_areas(zip_files(tmp_path / "empty.zip", [notes]))


def test_geopackage_with_two_layers_needs_a_layer(tmp_path: Path) -> None:
    path = tmp_path / "wards.gpkg"
    bng_wards(WD24NM=["Old West", "Old East"]).to_file(path, layer="wards_2013", engine="pyogrio")
    bng_wards().to_file(path, layer="wards_2024", engine="pyogrio")

    assert list_layers(path) == ["wards_2013", "wards_2024"]
    with pytest.raises(
        BoundaryError, match=r"wards\.gpkg has 2 layers \(wards_2013, wards_2024\): pass layer="
    ):
        read_areas(path)
    with pytest.raises(
        BoundaryError,
        match=r"wards\.gpkg has no layer 'wards_2025'; its layers are wards_2013, wards_2024",
    ):
        read_areas(path, layer="wards_2025")
    layer = read_areas(path, layer="wards_2024")
    check_two_wards(layer)
    assert layer.source == "wards.gpkg!wards_2024"
    assert read_areas(path, layer="WARDS_2013").areas["area_name"].tolist() == [
        "Old West",
        "Old East",
    ]


def test_geopackage_with_one_polygon_layer_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "patrol.gpkg"
    bng_wards().to_file(path, layer="wards", engine="pyogrio")
    stops = gpd.GeoDataFrame(
        {"stop": ["Clock Tower"]}, geometry=[shapely.Point(531_000, 104_500)], crs=WORKING_CRS
    )
    stops.to_file(path, layer="stops", engine="pyogrio")
    pyogrio.write_dataframe(pd.DataFrame({"agency": ["Outreach"]}), path, layer="agencies")

    layer = read_areas(path)

    check_two_wards(layer)
    assert layer.source == "patrol.gpkg!wards"
    assert layer.warnings == (
        "patrol.gpkg has 3 layers; read 'wards', the only one of polygons (not stops, "
        "agencies): pass layer= to read another",
    )


#: West and East as TopoJSON, worked by hand. Quantised positions become
#: (lon, lat) = (-0.2 + 0.1 * x, 50.8 + 0.1 * y); arcs are delta-encoded.
#: arc 0: (1,0)->(1,1), the shared edge; arc 1: (1,1)->(0,1)->(0,0)->(1,0), West's other sides;
#: arc 2: (1,0)->(2,0)->(2,1)->(1,1), East's other sides. West = arcs 0, 1; East = ~0 (= -1), 2.
TOPOJSON = {
    "type": "Topology",
    "transform": {"scale": [0.1, 0.1], "translate": [-0.2, 50.8]},
    "objects": {
        "wards": {
            "type": "GeometryCollection",
            "geometries": [
                {
                    "type": "Polygon",
                    "arcs": [[0, 1]],
                    "properties": {"WD24CD": "E05000001", "WD24NM": "West"},
                },
                {
                    "type": "Polygon",
                    "arcs": [[-1, 2]],
                    "properties": {"WD24CD": "E05000002", "WD24NM": "East"},
                },
            ],
        },
        "stations": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Point", "coordinates": [1, 1], "properties": {"name": "Corner"}}
            ],
        },
    },
    "arcs": [
        [[1, 0], [0, 1]],
        [[1, 1], [-1, 0], [0, -1], [1, 0]],
        [[1, 0], [1, 0], [0, 1], [-1, 0]],
    ],
}


def test_topojson_reads_the_polygon_object(tmp_path: Path) -> None:
    path = tmp_path / "wards.topojson"
    path.write_text(json.dumps(TOPOJSON))

    layer = read_areas(path)

    assert list_layers(path) == ["wards", "stations"]
    assert layer.source == "wards.topojson!wards"
    assert layer.areas["area_code"].tolist() == ["E05000001", "E05000002"]
    assert layer.areas["area_name"].tolist() == ["West", "East"]
    bounds = layer.areas.bounds.to_numpy()
    assert bounds == pytest.approx(np.array([[-0.2, 50.8, -0.1, 50.9], [-0.1, 50.8, 0.0, 50.9]]))
    assert layer.areas.is_valid.all()
    assert len(layer.warnings) == 2
    assert "read 'wards', the only one of polygons (not stations)" in layer.warnings[0]
    assert (
        "has no CRS; its coordinates are longitudes and latitudes, so EPSG:4326 was assumed"
        in layer.warnings[1]
    )


def test_kml_written_by_gdal(tmp_path: Path) -> None:
    path = tmp_path / "wards.kml"
    frame = bng_wards().rename(columns={"WD24CD": "ward_code", "WD24NM": "Name"})
    frame.drop(columns=["LAD24CD", "POPULATION"]).to_crs(DISPLAY_CRS).to_file(
        path, driver="KML", engine="pyogrio"
    )

    layer = read_areas(path)

    check_two_wards(layer)
    assert (layer.code_field, layer.name_field) == ("ward_code", "Name")
    assert layer.warnings == ()


#: As Google My Maps exports it: untyped <Data>, a label placemark, a MultiGeometry.
MY_MAPS_KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Patrol wards</name>
<Placemark><name>West</name>
  <ExtendedData><Data name="ward_code"><value>E05000001</value></Data></ExtendedData>
  <Polygon><outerBoundaryIs><LinearRing><coordinates>
    -0.2,50.8,0 -0.1,50.8,0 -0.1,50.9,0 -0.2,50.9,0 -0.2,50.8,0
  </coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
<Placemark><name>Label</name><Point><coordinates>-0.15,50.85,0</coordinates></Point></Placemark>
<Placemark><name>East</name>
  <ExtendedData><Data name="ward_code"><value>E05000002</value></Data></ExtendedData>
  <MultiGeometry>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>
      -0.1,50.8,0 0,50.8,0 0,50.9,0 -0.1,50.9,0 -0.1,50.8,0
    </coordinates></LinearRing></outerBoundaryIs></Polygon>
    <Point><coordinates>-0.05,50.85,0</coordinates></Point>
  </MultiGeometry></Placemark>
</Document></kml>
"""


def test_kml_from_my_maps_keeps_the_polygons(tmp_path: Path) -> None:
    path = tmp_path / "patrol.kml"
    path.write_text(MY_MAPS_KML)

    layer = read_areas(path)

    assert layer.areas["area_code"].tolist() == ["E05000001", "E05000002"]
    assert layer.areas["area_name"].tolist() == ["West", "East"]
    assert layer.areas["area_type"].tolist() == ["ward", "ward"]
    assert layer.areas.geom_type.tolist() == ["Polygon", "Polygon"]
    bounds = layer.areas.bounds.to_numpy()
    assert bounds == pytest.approx(np.array([[-0.2, 50.8, -0.1, 50.9], [-0.1, 50.8, 0.0, 50.9]]))
    assert layer.warnings == (
        "patrol.kml: kept only the polygons of 1 feature that mixes polygons with points or "
        "lines (E05000002)",
        "patrol.kml: dropped 1 feature that is not a polygon (feature 2 is a point)",
    )


# --- CRS -------------------------------------------------------------------------------------


def test_british_national_grid_with_its_crs_is_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "wards_bng.geojson"
    bng_wards().to_file(path, engine="pyogrio")  # GDAL writes a crs member for EPSG:27700

    layer = read_areas(path)

    check_two_wards(layer)
    assert layer.warnings == ()


def test_shapefile_without_prj_in_bng_is_assumed_27700(tmp_path: Path) -> None:
    write_shapefile(bng_wards(), tmp_path)
    (tmp_path / "wards.prj").unlink()

    layer = read_areas(tmp_path / "wards.shp")

    check_two_wards(layer)
    assert len(layer.warnings) == 1
    assert layer.warnings[0].startswith(
        "wards.shp has no CRS; its coordinates are British National Grid eastings and northings,"
        " so EPSG:27700 was assumed"
    )


def test_shapefile_without_prj_in_lon_lat_is_assumed_4326(tmp_path: Path) -> None:
    write_shapefile(bng_wards().to_crs(DISPLAY_CRS), tmp_path)
    (tmp_path / "wards.prj").unlink()

    layer = read_areas(tmp_path / "wards.shp")

    check_two_wards(layer)
    assert "so EPSG:4326 was assumed" in layer.warnings[0]


def test_no_crs_and_coordinates_fitting_neither_is_refused(tmp_path: Path) -> None:
    far = gpd.GeoDataFrame(
        {"area_code": ["X1"]}, geometry=[shapely.box(2e6, 3e6, 2.1e6, 3.1e6)], crs=WORKING_CRS
    )
    write_shapefile(far, tmp_path, "far")
    (tmp_path / "far.prj").unlink()
    with pytest.raises(
        BoundaryError,
        match=r"far\.shp has no CRS and its coordinates \(x 2000000 to 2100000, "
        r"y 3000000 to 3100000\) fit neither .*add the \.prj",
    ):
        read_areas(tmp_path / "far.shp")


def test_geojson_without_crs_member_in_bng_is_assumed_27700(tmp_path: Path) -> None:
    path = tmp_path / "wards.geojson"
    collection = json.loads(bng_wards().to_json(drop_id=True))
    del collection["crs"]  # so GDAL reads it as EPSG:4326, as RFC 7946 says
    path.write_text(json.dumps(collection))

    layer = read_areas(path)

    check_two_wards(layer)
    assert len(layer.warnings) == 1
    assert (
        "says it is in longitude/latitude (EPSG:4326) but its coordinates are British National Grid"
        in layer.warnings[0]
    )


# --- fields ----------------------------------------------------------------------------------


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    frame.to_crs(DISPLAY_CRS).to_file(path, engine="pyogrio")
    return path


def test_current_code_is_preferred_to_the_old_one(tmp_path: Path) -> None:
    frame = bng_wards().rename(
        columns={"WD24CD": "WD13CD", "WD24NM": "WD13NM", "LAD24CD": "LAD13CD"}
    )
    frame["WD13CDO"] = ["00MLND", "00MLNE"]  # the old code, as in the real files
    frame["WD13NMW"] = [None, None]  # the Welsh name
    frame = frame[["WD13CDO", "WD13NMW", "LAD13CD", "WD13NM", "WD13CD", "geometry"]]

    layer = read_areas(write_geojson(frame, tmp_path / "wards.geojson"))

    assert (layer.code_field, layer.name_field) == ("WD13CD", "WD13NM")
    assert layer.areas["area_code"].tolist() == ["E05000001", "E05000002"]
    assert layer.areas["parent_code"].tolist() == ["E06000043", "E06000043"]
    assert layer.areas["area_type"].tolist() == ["ward", "ward"]


def test_lsoas_get_their_msoa_as_parent(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {
            "LAD22CD": ["E06000043"] * 2,
            "MSOA21CD": ["E02003491", "E02003491"],
            "LSOA21CD": ["E01016867", "E01016868"],
            "LSOA21NM": ["Brighton and Hove 017A", "Brighton and Hove 017B"],
        },
        geometry=[WEST, EAST],
        crs=WORKING_CRS,
    )
    layer = read_areas(write_geojson(frame, tmp_path / "lsoa.geojson"))

    assert layer.code_field == "LSOA21CD"
    assert layer.areas["area_type"].tolist() == ["lsoa", "lsoa"]
    assert layer.areas["parent_code"].tolist() == ["E02003491", "E02003491"]
    assert layer.areas["area_name"].tolist() == ["Brighton and Hove 017A", "Brighton and Hove 017B"]


def test_generic_code_and_name(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"lad_code": ["E06000043"] * 2, "Code": ["Z1", "Z2"], "Name": ["Seafront", "Station"]},
        geometry=[WEST, EAST],
        crs=WORKING_CRS,
    )
    layer = read_areas(write_geojson(frame, tmp_path / "zones.geojson"))

    assert (layer.code_field, layer.name_field) == ("Code", "Name")
    assert layer.areas["area_type"].tolist() == ["area", "area"]
    assert layer.areas["parent_code"].tolist() == ["E06000043", "E06000043"]
    assert layer.areas["population"].isna().all()


def test_fields_and_area_type_can_be_given(tmp_path: Path) -> None:
    path = write_geojson(
        bng_wards(beat=["B-7", "B-9"], label=["Seven", "Nine"]), tmp_path / "beats.geojson"
    )

    layer = read_areas(path, code_field="beat", name_field="LABEL", area_type="Police beat")

    assert (layer.code_field, layer.name_field) == ("beat", "label")
    assert layer.areas["area_code"].tolist() == ["B-7", "B-9"]
    assert layer.areas["area_name"].tolist() == ["Seven", "Nine"]
    assert layer.areas["area_type"].tolist() == ["police beat", "police beat"]
    assert read_areas(path, code_field="wd24cd").code_field == "WD24CD"


def test_unknown_field_is_refused_with_the_fields_there_are(tmp_path: Path) -> None:
    path = write_geojson(bng_wards(), tmp_path / "wards.geojson")
    with pytest.raises(
        BoundaryError,
        match=r"wards\.geojson has no field 'ward_id' \(its fields are WD24CD, WD24NM, "
        r"LAD24CD, POPULATION\): pass code_field=",
    ):
        read_areas(path, code_field="ward_id")
    with pytest.raises(BoundaryError, match=r"has no field 'people'.*pass population_field="):
        read_areas(path, population_field="people")


def test_no_code_field_is_refused(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"ward": ["West", "East"]}, geometry=[WEST, EAST], crs=WORKING_CRS)
    with pytest.raises(
        BoundaryError,
        match=r"wards\.geojson has no area code field .* among its fields ward: pass code_field=",
    ):
        read_areas(write_geojson(frame, tmp_path / "wards.geojson"))


def test_two_years_of_codes_are_ambiguous(tmp_path: Path) -> None:
    path = write_geojson(bng_wards(WD23CD=["E05000001", "E05000002"]), tmp_path / "wards.geojson")
    with pytest.raises(
        BoundaryError,
        match=r"several fields that could hold the area codes \(WD24CD, WD23CD\): pass code_field=",
    ):
        read_areas(path)
    layer = read_areas(path, code_field="WD23CD")
    assert (layer.code_field, layer.name_field) == ("WD23CD", "WD24NM")


def test_missing_names_fall_back_to_codes(tmp_path: Path) -> None:
    layer = read_areas(write_geojson(bng_wards(WD24NM=["West", " "]), tmp_path / "wards.geojson"))
    assert layer.areas["area_name"].tolist() == ["West", "E05000002"]
    assert layer.warnings == (
        "wards.geojson: 1 area has no name in WD24NM (E05000002) and is named by code",
    )


def test_codes_are_stripped_text(tmp_path: Path) -> None:
    frame = bng_wards(WD24CD=[" E05000001 ", "E05000002"], ward_no=[101, 102])
    path = write_geojson(frame, tmp_path / "wards.geojson")
    assert read_areas(path).areas["area_code"].tolist() == ["E05000001", "E05000002"]
    assert read_areas(path, code_field="ward_no").areas["area_code"].tolist() == ["101", "102"]


def test_population_given_as_text_with_commas(tmp_path: Path) -> None:
    frame = bng_wards(POPULATION=["1,200", "3400"])
    layer = read_areas(write_geojson(frame, tmp_path / "wards.geojson"))
    assert layer.areas["population"].tolist() == [1200.0, 3400.0]


def test_population_that_is_not_a_count(tmp_path: Path) -> None:
    path = write_geojson(bng_wards(POPULATION=["1200", "about 3k"]), tmp_path / "wards.geojson")
    with pytest.raises(
        BoundaryError,
        match=r"POPULATION is not a count of people for 1 area \(E05000002=about 3k\)",
    ):
        read_areas(path, population_field="POPULATION")
    layer = read_areas(path)  # found by name, so only a warning
    assert layer.areas["population"].isna().all()
    assert "POPULATION looks like a population field but is not a count" in layer.warnings[0]


def test_population_density_is_not_population(tmp_path: Path) -> None:
    frame = bng_wards(pop_density=[12.5, 30.0]).drop(columns="POPULATION")
    layer = read_areas(write_geojson(frame, tmp_path / "wards.geojson"))
    assert layer.areas["population"].isna().all()


# --- geometries and codes --------------------------------------------------------------------


def test_bow_tie_is_repaired_and_reported(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"WD24CD": ["E05000001", "E05000002", "E05000003"], "WD24NM": ["West", "East", "Bow"]},
        geometry=[WEST, EAST, BOW_TIE],
        crs=WORKING_CRS,
    )
    assert not frame.is_valid.iloc[2]
    path = tmp_path / "wards.gpkg"
    frame.to_file(path, engine="pyogrio")

    layer = read_areas(path)

    assert layer.repaired == ("E05000003",)
    assert layer.warnings == (
        "wards.gpkg: repaired the invalid geometry of 1 area with shapely.make_valid "
        "(E05000003): check it on the map",
    )
    assert layer.areas.is_valid.all()
    bow = layer.areas.iloc[2]
    assert bow.geometry.geom_type == "MultiPolygon" and len(bow.geometry.geoms) == 2
    assert square_metres(layer) == pytest.approx([1_000_000, 1_000_000, 500_000], abs=1)


def test_features_without_geometry_are_dropped(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"WD24CD": ["E05000001", "E05000009", "E05000002"], "WD24NM": ["West", "Gone", "East"]},
        geometry=[WEST, None, EAST],
        crs=WORKING_CRS,
    )
    layer = read_areas(write_geojson(frame, tmp_path / "wards.geojson"))
    check_two_wards(layer)
    assert layer.warnings == ("wards.geojson: dropped 1 feature with no geometry (E05000009)",)


def test_points_only_are_refused(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"area_code": ["A", "B"]}, geometry=[WEST.centroid, EAST.centroid], crs=WORKING_CRS
    )
    with pytest.raises(
        BoundaryError, match=r"sites\.geojson holds points but no polygons: .*layer="
    ):
        read_areas(write_geojson(frame, tmp_path / "sites.geojson"))


def test_blank_codes_are_refused(tmp_path: Path) -> None:
    path = write_geojson(bng_wards(WD24CD=["E05000001", "  "]), tmp_path / "wards.geojson")
    with pytest.raises(
        BoundaryError,
        match=r"wards\.geojson: 1 feature has no code in WD24CD \(feature 2\): fill the codes in",
    ):
        read_areas(path)


def test_duplicate_codes_are_refused_and_named(tmp_path: Path) -> None:
    # 11 codes used twice each: the message names ten and counts the rest.
    codes = [f"E050000{i:02d}" for i in range(1, 12)] * 2
    squares = [
        shapely.box(530_000 + 100 * i, 105_000, 530_100 + 100 * i, 105_100) for i in range(22)
    ]
    frame = gpd.GeoDataFrame({"WD24CD": codes}, geometry=squares, crs=WORKING_CRS)
    with pytest.raises(
        BoundaryError,
        match=r"wards\.geojson: 11 codes in WD24CD are used by more than one feature "
        r"\(E05000001, E05000002, .*, E05000010 and 1 more\): each area needs its own code",
    ):
        read_areas(write_geojson(frame, tmp_path / "wards.geojson"))


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"boundary file .*nowhere\.geojson does not exist"):
        read_areas(tmp_path / "nowhere.geojson")


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "wards.geojson"
    path.write_text("ward,code\nWest,E05000001\n")
    with pytest.raises(
        InputFileError, match=r"wards\.geojson is not JSON \(GeoJSON\): it seems to be CSV or"
    ):
        read_areas(path)


# --- the real files in ../shared/data --------------------------------------------------------

#: Wards per local authority in 2013, checked against the ONS ward lists of that year.
REAL_WARD_COUNTS = {
    "E06000039-slough": 14,
    "E06000043-brighton-and-hove": 21,
    "E06000044-portsmouth": 14,
    "E06000045-southampton": 16,
    "E07000109-gravesham": 18,
    "E07000224-arun": 26,
    "E07000226-crawley": 15,
    "E09000033-westminster": 20,
}


@pytest.fixture(scope="module")
def england(shared_data: Path) -> AreaLayer:
    return read_areas(shared_data / "england-wards-2013.gpkg")


@pytest.mark.shared
def test_real_ward_files_are_the_ones_counted(shared_data: Path) -> None:
    assert sorted(p.stem for p in (shared_data / "wards").glob("*.geojson")) == sorted(
        REAL_WARD_COUNTS
    )


@pytest.mark.shared
@pytest.mark.parametrize("stem", sorted(REAL_WARD_COUNTS))
def test_real_ward_file(shared_data: Path, england: AreaLayer, stem: str) -> None:
    layer = read_areas(shared_data / "wards" / f"{stem}.geojson")
    areas = layer.areas

    assert len(areas) == REAL_WARD_COUNTS[stem]
    assert (layer.code_field, layer.name_field) == ("WD13CD", "WD13NM")
    assert set(areas["area_type"]) == {"ward"}
    assert areas["area_code"].str.fullmatch(r"E05\d{6}").all()
    assert areas["parent_code"].isna().all()  # these files carry no LAD13CD
    assert layer.warnings == () and layer.repaired == ()
    assert areas.crs == DISPLAY_CRS and areas.is_valid.all()
    # the same wards as the England file gives for that local authority
    lad = stem.split("-")[0]
    in_lad = england.areas.loc[england.areas["parent_code"] == lad]
    assert sorted(areas["area_code"]) == sorted(in_lad["area_code"])


@pytest.mark.shared
def test_real_brighton_and_hove(shared_data: Path) -> None:
    layer = read_areas(shared_data / "wards" / "E06000043-brighton-and-hove.geojson")
    areas = layer.areas.set_index("area_code")
    assert areas.loc["E05002420", "area_name"] == "Brunswick and Adelaide"
    # ONS gives the city 82.67 km2 (clipped to the coast); these are generalised boundaries.
    assert sum(square_metres(layer)) / 1e6 == pytest.approx(82.7, abs=0.3)


@pytest.mark.shared
def test_real_westminster_names(shared_data: Path) -> None:
    names = set(
        read_areas(shared_data / "wards" / "E09000033-westminster.geojson").areas["area_name"]
    )
    assert {"St James's", "Knightsbridge and Belgravia", "West End", "Queen's Park"} <= names


@pytest.mark.shared
def test_real_england_wards(england: AreaLayer) -> None:
    areas = england.areas
    assert len(areas) == 7681
    assert (england.code_field, england.name_field) == ("WD13CD", "WD13NM")
    assert areas["area_code"].is_unique
    assert set(areas["area_type"]) == {"ward"}
    assert areas["parent_code"].nunique() == 326
    assert areas["parent_code"].str.fullmatch(r"E0[6-9]\d{6}").all()
    # the one invalid geometry as published: Tolleshunt D'Arcy, in Maldon
    assert england.repaired == ("E05004205",)
    assert england.warnings == (
        "england-wards-2013.gpkg: repaired the invalid geometry of 1 area with "
        "shapely.make_valid (E05004205): check it on the map",
    )
    tolleshunt = areas.set_index("area_code").loc["E05004205"]
    assert (tolleshunt["area_name"], tolleshunt["parent_code"]) == (
        "Tolleshunt D'Arcy",
        "E07000074",
    )
    # Its ring touched itself to wrap a hole; repaired, the hole is a hole and the area is kept.
    repaired = gpd.GeoSeries([tolleshunt.geometry], crs=DISPLAY_CRS).to_crs(WORKING_CRS)
    assert repaired.area.iloc[0] / 1e6 == pytest.approx(47.28, abs=0.01)
    assert [len(part.interiors) for part in repaired.iloc[0].geoms] == [1]
    assert areas.is_valid.all()
    assert set(areas.geom_type) == {"MultiPolygon"}
    assert areas["population"].isna().all()
