# One image for the four services and the dev SMS gateway; the compose file picks the module to run.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HTTP_HOST=0.0.0.0
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
COPY cli ./cli
COPY deploy ./deploy
RUN pip install --no-cache-dir .
USER nobody
CMD ["python", "-m", "services.intake"]
