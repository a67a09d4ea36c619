"""The eigenface spectral clusterer (the label-only experiment's face-album service)."""

import pytest


@pytest.mark.filterwarnings("ignore:Graph is not fully connected")
def test_eigenface_spectral_service_clusters_an_album_and_has_no_predict():
    import numpy as np
    from sklearn.cluster import SpectralClustering
    from sklearn.metrics import normalized_mutual_info_score

    from robustfair.cluster import eigenface_spectral

    rng = np.random.default_rng(0)
    faces = rng.standard_normal((4, 100))
    lighting = 5 * rng.standard_normal((3, 100))  # strong nuisance directions, as illumination on Yale
    y = np.repeat(np.arange(4), 15)
    album = faces[y] + rng.standard_normal((60, 3)) @ lighting + 0.05 * rng.standard_normal((60, 100))
    service = eigenface_spectral(4, n_components=3, n_neighbors=5, random_state=0)
    assert not hasattr(service, "predict")  # the server then clusters each posted album (fit_predict)
    assert normalized_mutual_info_score(y, service.fit_predict(album)) > 0.9
    # control: the same spectral clustering on the raw album follows the lighting, not the faces
    plain = SpectralClustering(4, affinity="nearest_neighbors", n_neighbors=5, random_state=0)
    assert normalized_mutual_info_score(y, plain.fit_predict(album)) < 0.3
