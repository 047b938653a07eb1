# The source-tempo connector image, built by scripts/build_image.sh.
#
# The connector and its locked dependencies arrive as wheels built OUTSIDE the image build (build/wheels/deps
# and build/wheels/connector, made by `pip wheel`): the build needs no network, which matters where HTTPS
# from inside `docker build` fails certificate verification. Both base images carry Python 3.11, so the
# same wheels fit both:
#   * Airbyte's python-connector-base (default): Python in /usr/local, user `airbyte` (uid 1000);
#   * Debian bookworm from scripts/debian_base_image.sh, where Docker Hub is unreachable:
#     python3 + python3-venv, no user yet (created below).
# The connector lives in its own venv, which works the same on both (Debian's python3 refuses pip installs
# into the system site, PEP 668). Dependencies and the connector are separate layers, so a change to the
# connector alone rebuilds in seconds.
ARG BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73

FROM ${BASE_IMAGE} AS dependencies
COPY build/wheels/deps /tmp/wheels
RUN python3 -m venv /airbyte/venv \
    && /airbyte/venv/bin/pip install --no-index --no-cache-dir --disable-pip-version-check --quiet /tmp/wheels/*.whl

FROM ${BASE_IMAGE}
RUN if ! id -u airbyte > /dev/null 2>&1; then \
        useradd --system --uid 1000 --user-group --no-create-home --home-dir /airbyte --shell /usr/sbin/nologin airbyte; \
    fi \
    && mkdir -p /airbyte/integration_code \
    && chown airbyte:airbyte /airbyte /airbyte/integration_code
# Only the venv, not the dependency wheels, goes into the image.
COPY --from=dependencies /airbyte/venv /airbyte/venv
COPY build/wheels/connector /tmp/connector
RUN /airbyte/venv/bin/pip install --no-index --no-deps --no-cache-dir --disable-pip-version-check --quiet /tmp/connector/*.whl \
    && rm -rf /tmp/connector \
    && /airbyte/venv/bin/pip check --disable-pip-version-check > /dev/null \
    && /airbyte/venv/bin/source-tempo spec > /dev/null
WORKDIR /airbyte/integration_code
ENV PATH="/airbyte/venv/bin:${PATH}" \
    AIRBYTE_ENTRYPOINT="/airbyte/venv/bin/source-tempo"
USER airbyte
ENTRYPOINT ["/airbyte/venv/bin/source-tempo"]
