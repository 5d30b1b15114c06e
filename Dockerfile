# Berth's image: the jar that ./mvnw package builds, on a Java 25 runtime.
FROM eclipse-temurin:25-jre
WORKDIR /app
COPY target/berth.jar /app/berth.jar
# 2375: Docker API and admin API; 8081: actuator (health, prometheus)
EXPOSE 2375 8081
ENTRYPOINT ["java", "-jar", "/app/berth.jar"]
