# Berth's image: the jar that ./mvnw package builds, on a Java 21+ runtime.
# BASE is any image with `java` on its PATH (and wget or curl for docker-compose.yml's healthcheck).
# DeploymentFilesIT builds it on a base made from the local JDK (no registry can be reached there).
ARG BASE=eclipse-temurin:25-jre
FROM ${BASE}
WORKDIR /app
COPY target/berth.jar /app/berth.jar
# Not root: Berth needs no privilege of its own (the engine's socket is reached through its group).
USER 10001:10001
# 2375: Docker API and admin API; 2376: Docker API over TLS; 8081: actuator (health, prometheus)
EXPOSE 2375 2376 8081
ENTRYPOINT ["java", "-jar", "/app/berth.jar"]
